import { totpCode } from '@atrium/auth';
import { isProblem, type LiveEvent, ProblemError } from '@atrium/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableMfa } from './auth-mfa-support.js';
import { STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { clientFor, flakyProxy, interaction, listening } from './client-support.js';
import { testApp } from './support.js';

let app: TestApp;
let server: Awaited<ReturnType<typeof listening>>;

beforeAll(async () => {
  app = await testApp();
  server = await listening(app);
});
afterAll(() => app.dispose());

/** What `promise` rejected with, which must be a ProblemError. */
async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return error as ProblemError;
}

/** A user's access token that has expired, signed by the app for their live session. */
async function expiredTokenOf(user: { accessToken: string }) {
  const { sub, sid } = app.jwt.decode<{ sub: string; sid: string }>(user.accessToken)!;
  const token = app.jwt.sign({ sub, sid }, { expiresIn: '1s' });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return token;
}

async function orgWithInteractions(user: Awaited<ReturnType<typeof signUp>>, count: number) {
  const { client } = clientFor(server.url, user);
  const { data: org } = await client.POST('/orgs', { body: { name: 'Client Org' } });
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { data } = await client.POST('/orgs/{orgId}/interactions', {
      params: { path: { orgId: org.id } },
      body: interaction({ title: `Meeting ${i}` }),
    });
    ids.push(data.id);
  }
  return { orgId: org.id, ids };
}

describe('@atrium/client signs in', () => {
  it('logs in, keeps the tokens in its store and sends them on the next call', async () => {
    const user = await signUp(app);
    const { client, sent } = clientFor(server.url);
    const auth = await client.login({ login: user.user.email, password: STRONG_PASSWORD });
    if ('status' in auth) throw new Error('no two-factor sign-in was set up');
    expect(auth.user.id).toBe(user.user.id);
    expect((await client.tokens())?.accessToken).toBe(auth.accessToken);
    const { data: me } = await client.GET('/auth/me');
    expect(me.email).toBe(user.user.email);
    expect(sent.at(-1)?.headers.get('authorization')).toBe(`Bearer ${auth.accessToken}`);
  });

  it('signs in with two factors: the challenge stores nothing, its completion the tokens', async () => {
    const user = await signUp(app);
    const clock = {
      now: Date.now,
      tick: () => {},
      code: (secret: string) => totpCode(secret, Date.now()),
    };
    const { recoveryCodes } = await enableMfa(app, clock as never, user);
    const { client } = clientFor(server.url);
    const answer = await client.login({ login: user.user.email, password: STRONG_PASSWORD });
    if (!('status' in answer)) throw new Error('expected a two-factor challenge');
    expect(await client.tokens()).toBeFalsy();
    const auth = await client.completeMfaLogin({
      challengeToken: answer.challengeToken,
      recoveryCode: recoveryCodes[0]!,
    });
    expect(auth.user.id).toBe(user.user.id);
    expect((await client.tokens())?.accessToken).toBe(auth.accessToken);
    expect((await client.GET('/auth/me')).data.mfaEnabled).toBe(true);
  });

  it('throws invalid_credentials for a wrong password and stores nothing', async () => {
    const user = await signUp(app);
    const { client } = clientFor(server.url);
    const error = await problemOf(client.login({ login: user.user.email, password: 'wrong' }));
    expect([error.status, error.code]).toEqual([401, 'invalid_credentials']);
    expect(await client.tokens()).toBeUndefined();
  });

  it('logs out: the server ends the session and the store is emptied', async () => {
    const user = await signUp(app);
    const { client } = clientFor(server.url, user);
    await client.logout();
    expect(await client.tokens()).toBeUndefined();
    const again = clientFor(server.url, user).client;
    expect((await problemOf(again.GET('/auth/me'))).code).toBe('invalid_token');
  });
});

describe('@atrium/client refreshes a stale access token', () => {
  it('shares one refresh among concurrent calls that got 401, then retries each once', async () => {
    const user = await signUp(app);
    const stale = { accessToken: await expiredTokenOf(user), refreshToken: user.refreshToken };
    const { client, count } = clientFor(server.url, stale);
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.GET('/auth/me')));
    expect(answers.map(({ data }) => data.id)).toEqual(Array(5).fill(user.user.id));
    expect(count('POST', '/auth/refresh')).toBe(1);
    expect(count('GET', '/auth/me')).toBe(10);
    const tokens = await client.tokens();
    expect(tokens?.refreshToken).not.toBe(user.refreshToken);
    // The rotated refresh token still works: no second refresh presented a used one.
    expect((await clientFor(server.url, tokens).client.GET('/auth/me')).data.id).toBe(user.user.id);
  });

  it('gives up after a refused refresh: the call throws invalid_token and the store is emptied', async () => {
    const user = await signUp(app);
    const stale = { accessToken: await expiredTokenOf(user), refreshToken: user.refreshToken };
    await clientFor(server.url, user).client.logout();
    const { client, count } = clientFor(server.url, stale);
    const error = await problemOf(client.GET('/auth/me'));
    expect([error.status, error.code]).toEqual([401, 'invalid_token']);
    expect([count('POST', '/auth/refresh'), count('GET', '/auth/me')]).toEqual([1, 1]);
    expect(await client.tokens()).toBeUndefined();
  });

  it('keeps the tokens when the refresh meets an outage, and refreshes on the next call', async () => {
    const user = await signUp(app);
    const stale = { accessToken: await expiredTokenOf(user), refreshToken: user.refreshToken };
    const proxy = await flakyProxy(server.url, '/auth/refresh', 1);
    try {
      const { client, count } = clientFor(proxy.url, stale);
      const error = await problemOf(client.GET('/auth/me'));
      expect([error.status, error.code]).toEqual([503, 'service_unavailable']);
      expect(await client.tokens()).toEqual(stale);
      expect((await client.GET('/auth/me')).data.id).toBe(user.user.id);
      expect(count('POST', '/auth/refresh')).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('does not refresh for a 401 that a new token cannot cure (no token sent)', async () => {
    const { client, count } = clientFor(server.url);
    const error = await problemOf(client.GET('/auth/me'));
    expect(error.code).toBe('unauthorized');
    expect(count('POST', '/auth/refresh')).toBe(0);
  });
});

describe('@atrium/client typed calls and problems', () => {
  it('reads an interaction by its typed path and params', async () => {
    const user = await signUp(app);
    const { orgId, ids } = await orgWithInteractions(user, 1);
    const { client } = clientFor(server.url, user);
    const { data, response } = await client.GET('/orgs/{orgId}/interactions/{id}', {
      params: { path: { orgId, id: ids[0]! } },
    });
    expect([data.id, data.orgId, data.title, data.version]).toEqual([
      ids[0],
      orgId,
      'Meeting 0',
      1,
    ]);
    expect(response.status).toBe(200);
  });

  it("throws not_found for another tenant's interaction", async () => {
    const owner = await signUp(app);
    const { orgId, ids } = await orgWithInteractions(owner, 1);
    const stranger = clientFor(server.url, await signUp(app)).client;
    const error = await problemOf(
      stranger.GET('/orgs/{orgId}/interactions/{id}', { params: { path: { orgId, id: ids[0]! } } }),
    );
    expect([error.status, error.code]).toEqual([404, 'not_found']);
    expect(error.requestId).toEqual(expect.any(String));
    expect([isProblem(error, 'not_found'), isProblem(error, 'forbidden', 'conflict')]).toEqual([
      true,
      false,
    ]);
  });

  it('throws validation_failed naming the field for a body the server refuses', async () => {
    const user = await signUp(app);
    const { orgId } = await orgWithInteractions(user, 0);
    const { client } = clientFor(server.url, user);
    const error = await problemOf(
      client.POST('/orgs/{orgId}/interactions', {
        params: { path: { orgId } },
        body: interaction({ title: '' }),
      }),
    );
    expect([error.status, error.code]).toEqual([400, 'validation_failed']);
    expect(error.errors.map((e) => e.path)).toEqual(['/body/title']);
  });

  it('downloads the CSV export as text with parseAs', async () => {
    const user = await signUp(app);
    const { orgId } = await orgWithInteractions(user, 2);
    const { client } = clientFor(server.url, user);
    const { data, response } = await client.GET('/orgs/{orgId}/interactions/export', {
      params: { path: { orgId } },
      parseAs: 'text',
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = data.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((line) => /Meeting [01]/.test(line))).toBe(true);
  });

  it('leaves a call that failed to reach the server as the fetch error, not a ProblemError', async () => {
    const { client } = clientFor('http://127.0.0.1:1');
    const error = await client.GET('/interaction-types').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
  });
});

describe('@atrium/client paginate', () => {
  it('iterates every item across pages, one request per page', async () => {
    const user = await signUp(app);
    const { orgId, ids } = await orgWithInteractions(user, 5);
    const { client, count } = clientFor(server.url, user);
    const seen: string[] = [];
    for await (const item of client.paginate('/orgs/{orgId}/interactions', {
      params: { path: { orgId }, query: { limit: 2, sort: 'title' } },
    })) {
      seen.push(item.title);
    }
    expect(seen).toEqual(ids.map((_, i) => `Meeting ${i}`));
    expect(count('GET', `/orgs/${orgId}/interactions`)).toBe(3);
  });

  it('fetches only the pages the loop reads', async () => {
    const user = await signUp(app);
    const { orgId } = await orgWithInteractions(user, 3);
    const { client, count } = clientFor(server.url, user);
    for await (const _ of client.paginate('/orgs/{orgId}/interactions', {
      params: { path: { orgId }, query: { limit: 1 } },
    })) {
      break;
    }
    expect(count('GET', `/orgs/${orgId}/interactions`)).toBe(1);
  });

  it('throws the problem of a page the server refuses', async () => {
    const user = await signUp(app);
    const { orgId } = await orgWithInteractions(user, 0);
    const { client } = clientFor(server.url, user);
    const pages = client.paginate('/orgs/{orgId}/interactions', {
      params: { path: { orgId }, query: { limit: 500 } },
    });
    expect((await problemOf(pages.next())).code).toBe('validation_failed');
  });
});

describe('@atrium/client events', () => {
  /** The next `count` events (a missing one fails the test by its timeout). */
  async function take(events: AsyncGenerator<LiveEvent>, count: number) {
    const got: LiveEvent[] = [];
    for await (const event of events) {
      got.push(event);
      if (got.length === count) break;
    }
    return got;
  }

  async function pair() {
    const alice = clientFor(server.url, await signUp(app));
    const bobAuth = await signUp(app);
    const bob = clientFor(server.url, bobAuth);
    const send = (content: string) =>
      alice.client.POST('/messages', { body: { recipientId: bobAuth.user.id, content } });
    return { alice, bob, bobAuth, send };
  }

  it('delivers typed events and resumes with Last-Event-ID after a dropped connection', async () => {
    const { bob, send } = await pair();
    const events = bob.client.events({ retryMs: 1000 });
    const first = events.next();
    await expect.poll(() => bob.count('GET', '/events')).toBe(1);
    await send('one');
    const one = (await first).value as LiveEvent;
    expect(one.type === 'message.created' && one.data.content).toBe('one');
    server.dropStreams();
    // Sent while bob is disconnected: only a replay can bring them.
    await send('two');
    await send('three');
    const rest = await take(events, 2);
    expect(rest.map((e) => e.type === 'message.created' && e.data.content)).toEqual([
      'two',
      'three',
    ]);
    const reconnects = bob.sent.filter((s) => s.path === '/api/v1/events');
    expect(reconnects.map((s) => s.headers.get('last-event-id'))).toEqual([null, one.id]);
  });

  it('types message.read with the ids the recipient read', async () => {
    const { alice, bob, send } = await pair();
    const events = alice.client.events();
    const first = events.next();
    await expect.poll(() => alice.count('GET', '/events')).toBe(1);
    const { data: message } = await send('read me');
    await bob.client.PUT('/messages/{id}/read', { params: { path: { id: message.id } } });
    const { value } = await first;
    await events.return(undefined);
    expect(value).toMatchObject({ type: 'message.read', data: { messageIds: [message.id] } });
  });

  it('ends the iteration when the session ends (session.ended)', async () => {
    const { bob, bobAuth } = await pair();
    const events = bob.client.events({ retryMs: 100 });
    const next = events.next();
    await expect.poll(() => bob.count('GET', '/events')).toBe(1);
    await clientFor(server.url, bobAuth).client.logout();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(bob.count('GET', '/events')).toBe(1);
  });

  it('waits out a proxy answering 503 and connects when the API is back', async () => {
    const { send, bobAuth } = await pair();
    const proxy = await flakyProxy(server.url, '/events', 2);
    try {
      const bob = clientFor(proxy.url, bobAuth);
      const events = bob.client.events({ retryMs: 200 });
      const next = events.next();
      await expect.poll(() => bob.count('GET', '/events'), { timeout: 5000 }).toBe(3);
      await send('after the outage');
      const { value } = await next;
      await events.return(undefined);
      expect(value?.type === 'message.created' && value.data.content).toBe('after the outage');
    } finally {
      await proxy.close();
    }
  });

  it('replaces a connection that stays silent past idleTimeoutMs', async () => {
    const { send, bobAuth } = await pair();
    const proxy = await flakyProxy(server.url, '/events', 1, 'silent');
    try {
      const bob = clientFor(proxy.url, bobAuth);
      const events = bob.client.events({ retryMs: 50, idleTimeoutMs: 300 });
      const next = events.next();
      await expect.poll(() => bob.count('GET', '/events'), { timeout: 5000 }).toBe(2);
      await send('after the silence');
      const { value } = await next;
      await events.return(undefined);
      expect(value?.type === 'message.created' && value.data.content).toBe('after the silence');
    } finally {
      await proxy.close();
    }
  });

  it('throws the problem when the stream is refused', async () => {
    const { client } = clientFor(server.url);
    expect((await problemOf(client.events().next())).code).toBe('unauthorized');
  });
});
