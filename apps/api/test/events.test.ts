import { testPrefix } from '@atrium/jobs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { signUp } from './auth-support.js';
import { messageSaying, openStream, twoInstances } from './events-support.js';
import { TEST_REDIS_URL, testApp, testConfig } from './support.js';

const JWT_SECRET = 'a-shared-secret-of-at-least-thirty-two-bytes';
let a: Awaited<ReturnType<typeof testApp>>;
let urlA: string;
let urlB: string;
// Both instances share one prefix (the test is that they meet in Redis); removed after the file.
const env = { JWT_SECRET, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: testPrefix('events-test') };

let pair: Awaited<ReturnType<typeof twoInstances>> | undefined;
beforeAll(async () => {
  pair = await twoInstances(env);
  ({ a, urlA, urlB } = pair);
});
afterAll(() => pair?.close());

const send = (token: string, recipientId: string, content: string) =>
  a.inject({
    method: 'POST',
    url: '/api/v1/messages',
    headers: { authorization: `Bearer ${token}` },
    payload: { recipientId, content },
  });

describe('GET /events across two API instances on one Redis', () => {
  it('delivers a message sent through one instance to a client connected to the other', async () => {
    const [alice, bob] = [await signUp(a), await signUp(a)];
    const stream = await openStream(urlB, bob.accessToken);
    expect([stream.status, stream.contentType]).toEqual([200, 'text/event-stream; charset=utf-8']);
    await send(alice.accessToken, bob.user.id, 'across instances');
    const [event] = await stream.take(1);
    stream.close();
    expect(event).toMatchObject({
      event: 'message.created',
      data: { senderId: alice.user.id, content: 'across instances' },
    });
  });

  it('tells the sender when the recipient reads, and nobody else', async () => {
    const [alice, bob] = [await signUp(a), await signUp(a)];
    const message = (await send(alice.accessToken, bob.user.id, 'read me')).json();
    const stream = await openStream(urlB, alice.accessToken);
    await a.inject({
      method: 'PUT',
      url: `/api/v1/messages/${message.id}/read`,
      headers: { authorization: `Bearer ${bob.accessToken}` },
    });
    const [event] = await stream.take(1);
    stream.close();
    expect(event).toMatchObject({ event: 'message.read', data: { messageIds: [message.id] } });
  });

  it('replays what was missed after Last-Event-ID on reconnection, on either instance', async () => {
    const [alice, bob] = [await signUp(a), await signUp(a)];
    const first = await openStream(urlB, bob.accessToken);
    await send(alice.accessToken, bob.user.id, 'one');
    const [seen] = await first.take(1);
    first.close();
    await send(alice.accessToken, bob.user.id, 'two');
    await send(alice.accessToken, bob.user.id, 'three');
    const again = await openStream(urlA, bob.accessToken, seen!.id);
    const missed = await again.take(2);
    again.close();
    expect(missed.map((f) => (f.data as { content: string }).content)).toEqual(['two', 'three']);
  });

  it('replays on an instance that started after the missed events were sent', async () => {
    const [alice, bob] = [await signUp(a), await signUp(a)];
    const first = await openStream(urlB, bob.accessToken);
    await send(alice.accessToken, bob.user.id, 'before');
    const [seen] = await first.take(1);
    first.close();
    await send(alice.accessToken, bob.user.id, 'while away');
    const late = await buildApp(testConfig({ ...env, DATABASE_URL: a.config.databaseUrl! }));
    try {
      const again = await openStream(
        await late.listen({ port: 0, host: '127.0.0.1' }),
        bob.accessToken,
        seen!.id,
      );
      await send(alice.accessToken, bob.user.id, 'live again');
      const frames = await again.take(2);
      again.close();
      expect(frames.map((f) => (f.data as { content: string }).content)).toEqual([
        'while away',
        'live again',
      ]);
    } finally {
      await late.close();
    }
  });

  it('tells the reporter when a moderator changes their report', async () => {
    const [reporter, moderator] = [await signUp(a), await signUp(a, { isSuperuser: true })];
    const as = (who: typeof reporter) => ({ authorization: `Bearer ${who.accessToken}` });
    const report = (
      await a.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: as(reporter),
        payload: { title: 'Spam', content: 'Lots of it' },
      })
    ).json();
    const stream = await openStream(urlB, reporter.accessToken);
    await a.inject({
      method: 'PUT',
      url: `/api/v1/reports/${report.id}/resolve`,
      headers: as(moderator),
      payload: {},
    });
    const [event] = await stream.take(1);
    stream.close();
    expect(event).toMatchObject({
      event: 'report.updated',
      data: { id: report.id, status: 'resolved' },
    });
  });

  it('refuses a client without a bearer token', async () => {
    const response = await fetch(`${urlA}/api/v1/events`);
    expect(response.status).toBe(401);
  });
});

describe('GET /events without Redis', () => {
  it('delivers in-process to a client of the same instance', async () => {
    const solo = await testApp();
    const url = await solo.listen({ port: 0, host: '127.0.0.1' });
    const [alice, bob] = [await signUp(solo), await signUp(solo)];
    const stream = await openStream(url, bob.accessToken);
    await solo.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: { authorization: `Bearer ${alice.accessToken}` },
      payload: { recipientId: bob.user.id, content: 'embedded' },
    });
    const [event] = await stream.take(1);
    stream.close();
    await solo.dispose();
    expect(event).toMatchObject({ event: 'message.created', data: { content: 'embedded' } });
  });

  it('ends the stream at logout, and delivers nothing published after it', async () => {
    const solo = await testApp();
    try {
      const url = await solo.listen({ port: 0, host: '127.0.0.1' });
      const bob = await signUp(solo);
      const stream = await openStream(url, bob.accessToken);
      await solo.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { authorization: `Bearer ${bob.accessToken}` },
      });
      await solo.events.publish(bob.user.id, 'message.created', messageSaying('too late'));
      expect((await stream.ended()).map((f) => f.event)).toEqual(['session.ended']);
    } finally {
      await solo.dispose();
    }
  });

  it('replays what was missed after Last-Event-ID from the in-process history', async () => {
    const solo = await testApp();
    try {
      const url = await solo.listen({ port: 0, host: '127.0.0.1' });
      const [alice, bob] = [await signUp(solo), await signUp(solo)];
      const post = (content: string) =>
        solo.inject({
          method: 'POST',
          url: '/api/v1/messages',
          headers: { authorization: `Bearer ${alice.accessToken}` },
          payload: { recipientId: bob.user.id, content },
        });
      const first = await openStream(url, bob.accessToken);
      await post('one');
      const [seen] = await first.take(1);
      first.close();
      await post('two');
      const again = await openStream(url, bob.accessToken, seen!.id);
      const [missed] = await again.take(1);
      again.close();
      expect(missed).toMatchObject({ id: expect.any(String), data: { content: 'two' } });
    } finally {
      await solo.dispose();
    }
  });
});
