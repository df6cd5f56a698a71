import type { AuthResponse } from '@atrium/contracts';
import { testPrefix } from '@atrium/jobs/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/index.js';
import { authResponse } from '../src/modules/auth/mapping.js';
import { startSession } from '../src/modules/auth/service.js';
import { bearer, STRONG_PASSWORD, signUp } from './auth-support.js';
import { messageSaying, openStream, twoInstances } from './events-support.js';
import { TEST_REDIS_URL, type testApp, testConfig } from './support.js';

const JWT_SECRET = 'a-shared-secret-of-at-least-thirty-two-bytes';
let a: Awaited<ReturnType<typeof testApp>>;
let b: Awaited<ReturnType<typeof buildApp>>;
let urlA: string;
let urlB: string;
const env = {
  JWT_SECRET,
  REDIS_URL: TEST_REDIS_URL,
  // Shared by both instances (they meet in Redis); its keys are removed after the file.
  QUEUE_PREFIX: testPrefix('events-sessions-test'),
  // The password change's per-IP limit is not under test here (and its counter is shared).
  AUTH_RATE_LIMITS: 'off',
};

let pair: Awaited<ReturnType<typeof twoInstances>> | undefined;
beforeAll(async () => {
  pair = await twoInstances(env);
  ({ a, b, urlA, urlB } = pair);
});
afterAll(() => pair?.close());

/** A second live session of the same user, as a login on another device would start. */
async function anotherSession(of: AuthResponse): Promise<AuthResponse> {
  const client = { userAgent: 'vitest', ip: '127.0.0.1' };
  return authResponse(a, of.user, await startSession(a.db, of.user.id, client, a.config.sessions));
}

const sessionOf = (token: string) => a.jwt.decode<{ sid: string }>(token)!.sid;

/**
 * Published on the bus itself, so it would reach any stream still open whether or not the
 * messages module accepts a message to this user any more (a disabled or deleted one).
 */
const privateEvent = (userId: string) =>
  a.events.publish(userId, 'message.created', messageSaying('after the session ended'));

type Ending = (user: AuthResponse, streamSession: AuthResponse) => Promise<{ statusCode: number }>;
const endings: [string, Ending][] = [
  [
    'logout',
    (_user, current) =>
      a.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: bearer(current.accessToken),
      }),
  ],
  [
    'logout-all from another session',
    (user) =>
      a.inject({
        method: 'POST',
        url: '/api/v1/auth/logout-all',
        headers: bearer(user.accessToken),
      }),
  ],
  [
    'deleting the session from another one',
    (user, current) =>
      a.inject({
        method: 'DELETE',
        url: `/api/v1/auth/sessions/${sessionOf(current.accessToken)}`,
        headers: bearer(user.accessToken),
      }),
  ],
  [
    'a password change in another session',
    (user) =>
      a.inject({
        method: 'PUT',
        url: '/api/v1/auth/me/password',
        headers: bearer(user.accessToken),
        payload: {
          currentPassword: STRONG_PASSWORD,
          newPassword: 'quartz-meadow-violin-falcon-71',
        },
      }),
  ],
  [
    'an admin disabling the user',
    async (user) =>
      a.inject({
        method: 'PUT',
        url: `/api/v1/users/${user.user.id}/disable`,
        headers: bearer((await signUp(a, { isSuperuser: true })).accessToken),
      }),
  ],
  [
    'an admin deleting the user',
    async (user) =>
      a.inject({
        method: 'DELETE',
        url: `/api/v1/users/${user.user.id}`,
        headers: bearer((await signUp(a, { isSuperuser: true })).accessToken),
      }),
  ],
];

describe('GET /events ends with its session, on every instance', () => {
  it.each(endings)('%s on instance A ends the stream held by instance B', async (_, end) => {
    const user = await signUp(a);
    const device = await anotherSession(user);
    const stream = await openStream(urlB, device.accessToken);
    expect(stream.status).toBe(200);
    expect([200, 204]).toContain((await end(user, device)).statusCode);
    await privateEvent(user.user.id);
    const frames = await stream.ended();
    expect(frames.map((f) => f.event)).toEqual(['session.ended']);
  });

  it('ends a stream held by the instance that served the logout', async () => {
    const user = await signUp(a);
    const stream = await openStream(urlA, user.accessToken);
    await a.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(user.accessToken),
    });
    await privateEvent(user.user.id);
    expect((await stream.ended()).map((f) => f.event)).toEqual(['session.ended']);
  });

  it("keeps streaming to the user's other, live sessions", async () => {
    const user = await signUp(a);
    const device = await anotherSession(user);
    const [kept, ended] = [
      await openStream(urlB, user.accessToken),
      await openStream(urlB, device.accessToken),
    ];
    await a.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${sessionOf(device.accessToken)}`,
      headers: bearer(user.accessToken),
    });
    await ended.ended();
    await privateEvent(user.user.id);
    const [event] = await kept.take(1);
    kept.close();
    expect(event).toMatchObject({ event: 'message.created' });
  });
});

describe('GET /events ends when its access token expires', () => {
  it('closes the stream at `exp` with session.expired; a fresh token resumes from Last-Event-ID', async () => {
    const user = await signUp(a);
    // The app's own signer, with an expiry two seconds away instead of fifteen minutes.
    const shortLived = b.jwt.sign(
      { sub: user.user.id, sid: sessionOf(user.accessToken) },
      { expiresIn: '2s' },
    );
    const stream = await openStream(urlB, shortLived);
    expect(stream.status).toBe(200);
    await a.events.publish(user.user.id, 'message.created', messageSaying('before expiry'));
    const [seen] = await stream.take(1);
    const frames = await stream.ended();
    expect(frames.map((f) => f.event)).toEqual(['message.created', 'session.expired']);
    await a.events.publish(user.user.id, 'message.created', messageSaying('while reconnecting'));
    const again = await openStream(urlA, user.accessToken, seen!.id);
    const [missed] = await again.take(1);
    again.close();
    expect(missed).toMatchObject({ data: { content: 'while reconnecting' } });
  });
});

describe('GET /events caps the streams one user and one instance may hold', () => {
  const connect = (url: string, token: string) =>
    fetch(`${url}/api/v1/events`, { headers: bearer(token) });

  it('answers the 11th stream of a user with 429 rate_limited while another user still connects', async () => {
    const [greedy, other] = [await signUp(a), await signUp(a)];
    const open = await Promise.all(
      Array.from({ length: 10 }, () => openStream(urlA, greedy.accessToken)),
    );
    expect(open.map((s) => s.status)).toEqual(Array(10).fill(200));
    const refused = await connect(urlA, greedy.accessToken);
    const otherStream = await openStream(urlA, other.accessToken);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(otherStream.status).toBe(200);
    for (const stream of [...open, otherStream]) stream.close();
  });

  it('frees a place when a stream closes', async () => {
    const user = await signUp(a);
    const open = await Promise.all(
      Array.from({ length: 10 }, () => openStream(urlA, user.accessToken)),
    );
    open[0]!.close();
    // The server learns of the close asynchronously; the 11th connects once it has.
    const again = await vi.waitFor(
      async () => {
        const stream = await openStream(urlA, user.accessToken);
        if (stream.status !== 200) throw new Error(`still ${stream.status}`);
        return stream;
      },
      { timeout: 3000, interval: 50 },
    );
    for (const stream of [...open, again]) stream.close();
  });

  it('refuses streams past SSE_MAX_CONNECTIONS on one instance, whoever asks', async () => {
    const small = await buildApp(
      testConfig({ ...env, DATABASE_URL: a.config.databaseUrl!, SSE_MAX_CONNECTIONS: '2' }),
    );
    try {
      const url = await small.listen({ port: 0, host: '127.0.0.1' });
      const users = [await signUp(a), await signUp(a), await signUp(a)];
      const [first, second] = [
        await openStream(url, users[0]!.accessToken),
        await openStream(url, users[1]!.accessToken),
      ];
      const third = await connect(url, users[2]!.accessToken);
      expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
      expect(await third.json()).toMatchObject({ code: 'rate_limited' });
      first.close();
      second.close();
    } finally {
      await small.close();
    }
  });
});
