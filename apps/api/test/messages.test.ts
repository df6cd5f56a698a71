import { users } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage, unreadOf } from './messages-support.js';
import { testApp } from './support.js';
import { type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let alice: Person;
let bob: Person;
let carol: Person;

beforeAll(async () => {
  app = await testApp();
  [alice, bob, carol] = [await person(app), await person(app), await person(app)];
});
afterAll(async () => app?.dispose());

const call = (
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST',
  url: string,
  who: Person,
  payload?: object,
) => app.inject({ method, url: `/api/v1${url}`, headers: who.headers, payload });

describe('sending', () => {
  it('creates one conversation per pair, whoever writes first', async () => {
    const first = await sendMessage(app, alice, bob);
    const back = await sendMessage(app, bob, alice);
    expect(back.conversationId).toBe(first.conversationId);
  });

  it('refuses a recipient that does not exist with a 400 naming the field', async () => {
    const response = await call('POST', '/messages', alice, {
      recipientId: '01900000-0000-7000-8000-000000000000',
      content: 'anyone?',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('/body/recipientId');
  });

  it('refuses a disabled recipient and the sender themself', async () => {
    const dora = await person(app);
    await app.db.update(users).set({ isActive: false }).where(eq(users.id, dora.id));
    const disabled = await call('POST', '/messages', alice, {
      recipientId: dora.id,
      content: 'hi',
    });
    const self = await call('POST', '/messages', alice, { recipientId: alice.id, content: 'hi' });
    expect([disabled.statusCode, self.statusCode]).toEqual([400, 400]);
  });

  it('rejects content over 5,000 characters', async () => {
    const response = await call('POST', '/messages', alice, {
      recipientId: bob.id,
      content: 'x'.repeat(5001),
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('concurrent sends', () => {
  it('ends on the newest message and counts each when many are sent at once', async () => {
    const [dave, erin] = [await person(app), await person(app)];
    await sendMessage(app, dave, erin, 'opening');
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 ? sendMessage(app, dave, erin, `a${i}`) : sendMessage(app, erin, dave, `b${i}`),
      ),
    );
    const newest = burst
      .map((m) => m.id)
      .sort()
      .at(-1);
    const [erinSide] = (await call('GET', '/conversations', erin)).json().items;
    expect(erinSide.lastMessage.id).toBe(newest);
    expect([await unreadOf(app, erin), await unreadOf(app, dave)]).toEqual([7, 6]);
  });
});

describe('idempotent sends', () => {
  it('makes one message of concurrent sends with the same Idempotency-Key', async () => {
    const [frank, gina] = [await person(app), await person(app)];
    await sendMessage(app, frank, gina, 'opening');
    const attempt = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: { ...frank.headers, 'idempotency-key': 'send-once-2' },
        payload: { recipientId: gina.id, content: 'only once' },
      });
    const responses = await Promise.all([attempt(), attempt(), attempt()]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    expect(await unreadOf(app, gina)).toBe(2);
  });

  it('answers a retried send with the same Idempotency-Key with the first message, counted once', async () => {
    const dave = await person(app);
    const retry = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: { ...alice.headers, 'idempotency-key': 'send-once-1' },
        payload: { recipientId: dave.id, content: 'only once' },
      });
    const [first, second] = [await retry(), await retry()];
    expect([first.statusCode, second.statusCode]).toEqual([201, 200]);
    expect(second.json().id).toBe(first.json().id);
    expect(await unreadOf(app, dave)).toBe(1);
  });
});

describe('visibility', () => {
  it.each([
    ['GET', ''],
    ['PATCH', ''],
    ['PUT', '/read'],
    ['DELETE', ''],
  ] as const)('answers 404 to a non-participant on %s /messages/{id}%s', async (method, suffix) => {
    const message = await sendMessage(app, alice, bob);
    const response = await call(
      method,
      `/messages/${message.id}${suffix}`,
      carol,
      method === 'PATCH' ? { content: 'x' } : undefined,
    );
    expect(response.statusCode).toBe(404);
  });

  it.each([
    ['GET', '/messages'],
    ['POST', '/messages'],
    ['PUT', '/read'],
  ] as const)(
    'answers 404 to a non-participant on %s /conversations/{id}%s',
    async (method, suffix) => {
      const { conversationId } = await sendMessage(app, alice, bob);
      const response = await call(
        method,
        `/conversations/${conversationId}${suffix}`,
        carol,
        method === 'POST' ? { content: 'x' } : undefined,
      );
      expect(response.statusCode).toBe(404);
    },
  );

  it('shows a message to both participants and lists it in sent and received', async () => {
    const message = await sendMessage(app, alice, bob, 'visible to both');
    for (const who of [alice, bob]) {
      expect((await call('GET', `/messages/${message.id}`, who)).statusCode).toBe(200);
    }
    const sent = (await call('GET', '/messages/sent', alice)).json().items;
    const received = (await call('GET', '/messages/received', bob)).json().items;
    expect(sent.map((m: { id: string }) => m.id)).toContain(message.id);
    expect(received.map((m: { id: string }) => m.id)).toContain(message.id);
  });

  it('answers 404 to a malformed id rather than 500', async () => {
    expect((await call('GET', '/messages/not-an-id', alice)).statusCode).toBe(404);
  });
});

describe('edits, reads and deletes', () => {
  it('lets only the sender edit, and records when', async () => {
    const message = await sendMessage(app, alice, bob);
    const byRecipient = await call('PATCH', `/messages/${message.id}`, bob, { content: 'forged' });
    const bySender = await call('PATCH', `/messages/${message.id}`, alice, { content: 'fixed' });
    expect(byRecipient.statusCode).toBe(403);
    expect(bySender.json()).toMatchObject({ content: 'fixed', editedAt: expect.any(String) });
  });

  it('lets only the recipient mark a message read', async () => {
    const message = await sendMessage(app, alice, bob);
    expect((await call('PUT', `/messages/${message.id}/read`, alice)).statusCode).toBe(403);
    const read = await call('PUT', `/messages/${message.id}/read`, bob);
    expect(read.json().readAt).toEqual(expect.any(String));
  });

  it('hides a deleted message from the deleting side only', async () => {
    const message = await sendMessage(app, alice, bob);
    expect((await call('DELETE', `/messages/${message.id}`, alice)).statusCode).toBe(204);
    expect((await call('GET', `/messages/${message.id}`, alice)).statusCode).toBe(404);
    expect((await call('GET', `/messages/${message.id}`, bob)).statusCode).toBe(200);
  });
});

describe('replies', () => {
  it('threads a reply to a message of the same conversation', async () => {
    const question = await sendMessage(app, alice, bob, 'lunch?');
    const answer = await sendMessage(app, bob, alice, 'yes', question.id);
    expect(answer.parentId).toBe(question.id);
  });

  it('refuses a reply to a message of another conversation', async () => {
    const elsewhere = await sendMessage(app, alice, carol);
    const response = await call('POST', '/messages', bob, {
      recipientId: alice.id,
      content: 'sneaky',
      parentId: elsewhere.id,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('/body/parentId');
  });
});
