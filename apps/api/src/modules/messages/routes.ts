import {
  ConversationMessageRequest,
  ConversationPage,
  EditMessageRequest,
  Message,
  MessagePage,
  MessageParams,
  NoContent,
  PageQuery,
  SendMessageRequest,
  UnreadCount,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  conversationMessages,
  listMessages,
  otherParticipant,
  prepareListConversations,
} from './list.js';
import { prepareSend, type SendInput, sendMessage } from './send.js';
import {
  deleteMessage,
  editMessage,
  getMessage,
  markRead,
  readAll,
  unreadCount,
} from './service.js';

const auth = { auth: true } as const;
const me = (request: FastifyRequest) => request.user!.id;

/** Sends are limited per user, not per IP: many users may share an address. */
type Sender = (
  request: FastifyRequest,
  reply: FastifyReply,
  input: Omit<SendInput, 'idempotencyKey'>,
) => Promise<FastifyReply>;

/** A retried send with the same key answers 200 with the message the first one made. */
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

const sendLimit = (app: FastifyInstance) => ({
  max: app.config.rateLimit.messages,
  timeWindow: 60_000,
  keyGenerator: (request: FastifyRequest) => `messages:${request.user?.id ?? request.ip}`,
});

export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['messages'];
  /** Sends, then announces a new message to its recipient once it has committed. */
  const prepared = prepareSend(app.db);
  const send: Sender = async (request, reply, input) => {
    const key = request.headers['idempotency-key'];
    const { message, created } = await sendMessage(app.db, prepared, me(request), {
      ...input,
      idempotencyKey: typeof key === 'string' ? key : undefined,
    });
    if (created) await app.events.publish(message.recipientId, 'message.created', message);
    return reply.status(created ? 201 : 200).send(message);
  };

  app.post(
    '/messages',
    {
      config: { ...auth, rateLimit: sendLimit(app) },
      schema: {
        tags,
        summary: 'Send a message; the conversation is made on the first one',
        body: SendMessageRequest,
        headers: IdempotencyHeaders,
        response: { 200: Message, 201: Message },
      },
    },
    async (request, reply) => send(request, reply, request.body),
  );

  for (const [path, box, summary] of [
    ['/messages', 'all', 'Your sent and received messages, newest first'],
    ['/messages/sent', 'sent', 'Messages you sent'],
    ['/messages/received', 'received', 'Messages you received'],
  ] as const) {
    app.get(
      path,
      {
        config: auth,
        schema: { tags, summary, querystring: PageQuery, response: { 200: MessagePage } },
      },
      async (request) => listMessages(app.db, me(request), box, request.query),
    );
  }

  app.get(
    '/messages/unread/count',
    {
      config: auth,
      schema: {
        tags,
        summary: 'How many received messages are unread',
        response: { 200: UnreadCount },
      },
    },
    async (request) => unreadCount(app.db, me(request)),
  );

  app.put(
    '/messages/read-all',
    {
      config: auth,
      schema: { tags, summary: 'Mark every received message read', response: { 204: NoContent } },
    },
    async (request, reply) => {
      await announceReads(app, await readAll(app.db, me(request)));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/messages/:id',
    {
      config: auth,
      schema: {
        tags,
        summary: 'One message you sent or received',
        params: MessageParams,
        response: { 200: Message },
      },
    },
    async (request) => getMessage(app.db, me(request), request.params.id),
  );

  app.patch(
    '/messages/:id',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Edit a message you sent',
        params: MessageParams,
        body: EditMessageRequest,
        response: { 200: Message },
      },
    },
    async (request) => editMessage(app.db, me(request), request.params.id, request.body.content),
  );

  app.put(
    '/messages/:id/read',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Mark a message you received read',
        params: MessageParams,
        response: { 200: Message },
      },
    },
    async (request) => {
      const { message, changed } = await markRead(app.db, me(request), request.params.id);
      if (changed) await announceReads(app, [{ id: message.id, senderId: message.senderId }]);
      return message;
    },
  );

  app.delete(
    '/messages/:id',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Delete a message on your side only',
        params: MessageParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteMessage(app.db, me(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  await app.register(conversationRoutes(send));
};

/** Tells each sender which of their messages were read. */
async function announceReads(app: FastifyInstance, read: { id: string; senderId: string }[]) {
  const bySender = new Map<string, string[]>();
  for (const { id, senderId } of read)
    bySender.set(senderId, [...(bySender.get(senderId) ?? []), id]);
  for (const [senderId, messageIds] of bySender) {
    await app.events.publish(senderId, 'message.read', { messageIds });
  }
}

const conversationRoutes =
  (send: Sender): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['conversations'];
    const listConversations = prepareListConversations(app.db);
    app.get(
      '/conversations',
      {
        config: auth,
        schema: {
          tags,
          summary: 'Your conversations, most recent first, with the unread count of each',
          querystring: PageQuery,
          response: { 200: ConversationPage },
        },
      },
      async (request) => listConversations(me(request), request.query),
    );

    app.get(
      '/conversations/:id/messages',
      {
        config: auth,
        schema: {
          tags,
          summary: 'The messages of one of your conversations, newest first',
          params: MessageParams,
          querystring: PageQuery,
          response: { 200: MessagePage },
        },
      },
      async (request) =>
        conversationMessages(app.db, me(request), request.params.id, request.query),
    );

    app.post(
      '/conversations/:id/messages',
      {
        config: { ...auth, rateLimit: sendLimit(app) },
        schema: {
          tags,
          summary: 'Send a message to the other participant',
          params: MessageParams,
          body: ConversationMessageRequest,
          headers: IdempotencyHeaders,
          response: { 200: Message, 201: Message },
        },
      },
      async (request, reply) => {
        const recipientId = await otherParticipant(app.db, me(request), request.params.id);
        return send(request, reply, { ...request.body, recipientId });
      },
    );

    app.put(
      '/conversations/:id/read',
      {
        config: auth,
        schema: {
          tags,
          summary: 'Mark a conversation read',
          params: MessageParams,
          response: { 204: NoContent },
        },
      },
      async (request, reply) => {
        await otherParticipant(app.db, me(request), request.params.id);
        await announceReads(app, await readAll(app.db, me(request), request.params.id));
        return reply.status(204).send(null);
      },
    );
  };
