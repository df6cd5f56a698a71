import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage, unreadOf } from './messages-support.js';
import { testApp } from './support.js';
import { type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  app = await testApp({ MESSAGE_RATE_LIMIT_MAX: '3' });
});
afterAll(async () => app?.dispose());

const pair = async (): Promise<[Person, Person]> => [await person(app), await person(app)];
const put = (url: string, who: Person) =>
  app.inject({ method: 'PUT', url: `/api/v1${url}`, headers: who.headers });

describe('unread counts', () => {
  it('counts sends and drops with a read, a delete and read-all', async () => {
    const [alice, bob] = await pair();
    const [one, two] = [await sendMessage(app, alice, bob), await sendMessage(app, alice, bob)];
    await sendMessage(app, alice, bob);
    expect(await unreadOf(app, bob)).toBe(3);
    expect(await unreadOf(app, alice)).toBe(0);
    await put(`/messages/${one.id}/read`, bob);
    await put(`/messages/${one.id}/read`, bob); // a second read changes nothing
    expect(await unreadOf(app, bob)).toBe(2);
    await app.inject({ method: 'DELETE', url: `/api/v1/messages/${two.id}`, headers: bob.headers });
    expect(await unreadOf(app, bob)).toBe(1);
    await put('/messages/read-all', bob);
    expect(await unreadOf(app, bob)).toBe(0);
  });

  it('clears one conversation and shows per-conversation counts in the list', async () => {
    const [alice, bob] = await pair();
    const carol = await person(app);
    const { conversationId } = await sendMessage(app, alice, bob);
    await sendMessage(app, carol, bob);
    await put(`/conversations/${conversationId}/read`, bob);
    const list = (
      await app.inject({ method: 'GET', url: '/api/v1/conversations', headers: bob.headers })
    ).json();
    const counts = Object.fromEntries(
      list.items.map((c: { otherParticipant: { id: string }; unreadCount: number }) => [
        c.otherParticipant.id,
        c.unreadCount,
      ]),
    );
    expect(counts).toEqual({ [alice.id]: 0, [carol.id]: 1 });
    expect(list.items[0].lastMessage.senderId).toBe(carol.id);
  });

  it('stays exact when many messages are sent and read at once', async () => {
    const senders = await Promise.all(Array.from({ length: 3 }, () => person(app)));
    const bob = await person(app);
    const sent = await Promise.all(
      senders.flatMap((s) => [sendMessage(app, s, bob), sendMessage(app, s, bob)]),
    );
    await Promise.all([...sent.slice(0, 3).map((m) => put(`/messages/${m.id}/read`, bob))]);
    expect(await unreadOf(app, bob)).toBe(3);
  });
});

describe('conversations', () => {
  it('pages through a conversation with a cursor', async () => {
    const [alice, bob] = await pair();
    const { conversationId } = await sendMessage(app, alice, bob, 'one');
    await sendMessage(app, bob, alice, 'two');
    await sendMessage(app, alice, bob, 'three');
    const url = `/api/v1/conversations/${conversationId}/messages?limit=2`;
    const first = (await app.inject({ method: 'GET', url, headers: alice.headers })).json();
    const second = (
      await app.inject({
        method: 'GET',
        url: `${url}&cursor=${first.nextCursor}`,
        headers: alice.headers,
      })
    ).json();
    expect([...first.items, ...second.items].map((m: { content: string }) => m.content)).toEqual([
      'three',
      'two',
      'one',
    ]);
    expect(second.nextCursor).toBeNull();
  });

  it('sends into a conversation to the other participant', async () => {
    const [alice, bob] = await pair();
    const { conversationId } = await sendMessage(app, alice, bob);
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conversationId}/messages`,
      headers: bob.headers,
      payload: { content: 'reply' },
    });
    expect(response.json()).toMatchObject({ recipientId: alice.id, conversationId });
  });
});

describe('rate limit', () => {
  it('limits sends per user and leaves other users alone', async () => {
    const [alice, bob] = await pair();
    const send = (from: Person, to: Person) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: from.headers,
        payload: { recipientId: to.id, content: 'hi' },
      });
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push((await send(alice, bob)).statusCode);
    expect(codes).toEqual([201, 201, 201, 429]);
    expect((await send(bob, alice)).statusCode).toBe(201);
  });
});
