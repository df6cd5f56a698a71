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

type Listed = { otherParticipant: { id: string }; lastMessage: { content: string } | null };
const conversationsOf = async (who: Person): Promise<Listed[]> =>
  (await app.inject({ method: 'GET', url: '/api/v1/conversations', headers: who.headers })).json()
    .items;
const remove = (id: string, who: Person) =>
  app.inject({ method: 'DELETE', url: `/api/v1/messages/${id}`, headers: who.headers });

describe('the last message of a conversation', () => {
  it('falls back to the latest one still visible to you when you delete it', async () => {
    const [alice, bob] = await pair();
    const carol = await person(app);
    await sendMessage(app, alice, bob, 'one');
    await sendMessage(app, carol, alice, 'from carol');
    const two = await sendMessage(app, bob, alice, 'two');
    expect((await conversationsOf(alice)).map((c) => c.lastMessage?.content)).toEqual([
      'two',
      'from carol',
    ]);
    expect((await remove(two.id, alice)).statusCode).toBe(204);
    // Alice's list moves the conversation back to where 'one' puts it; Bob's is unchanged.
    expect((await conversationsOf(alice)).map((c) => c.lastMessage?.content)).toEqual([
      'from carol',
      'one',
    ]);
    expect((await conversationsOf(bob))[0]!.lastMessage?.content).toBe('two');
  });

  it('falls back the same way when the sender deletes their own last message', async () => {
    const [alice, bob] = await pair();
    await sendMessage(app, bob, alice, 'first');
    const mine = await sendMessage(app, alice, bob, 'second');
    await remove(mine.id, alice);
    expect((await conversationsOf(alice))[0]!.lastMessage?.content).toBe('first');
    expect((await conversationsOf(bob))[0]!.lastMessage?.content).toBe('second');
  });

  it('leaves your list when you delete every message, and returns with the next', async () => {
    const [alice, bob] = await pair();
    const only = await sendMessage(app, alice, bob, 'only');
    await remove(only.id, bob);
    expect(await conversationsOf(bob)).toEqual([]);
    expect((await conversationsOf(alice)).length).toBe(1);
    await sendMessage(app, alice, bob, 'again');
    expect((await conversationsOf(bob)).map((c) => c.lastMessage?.content)).toEqual(['again']);
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

  it('pages through your conversations with a cursor, most recent first', async () => {
    const [alice, bob] = await pair();
    const [carol, dave] = await pair();
    for (const other of [bob, carol, dave]) await sendMessage(app, other, alice, 'hi');
    const page = async (query: string) =>
      (
        await app.inject({
          method: 'GET',
          url: `/api/v1/conversations${query}`,
          headers: alice.headers,
        })
      ).json();
    const first = await page('?limit=2');
    const second = await page(`?limit=2&cursor=${first.nextCursor}`);
    const order = [...first.items, ...second.items].map((c: Listed) => c.otherParticipant.id);
    expect(order).toEqual([dave.id, carol.id, bob.id]);
    expect(second.nextCursor).toBeNull();
    expect((await page('?cursor=not-a-cursor')).status).toBe(400);
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
