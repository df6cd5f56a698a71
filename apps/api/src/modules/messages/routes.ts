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
  deleteMessage,
  editMessage,
  getMessage,
  listConversations,
  listMessages,
  type MessagesContext,
  markRead,
  messagesContext,
  readAll,
  readConversation,
  sendInConversation,
  sendMessage,
  unreadCount,
} from './service.js';

const auth = { auth: true } as const;

/** A retried send with the same key answers 200 with the message the first one made. */
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

/** Sends are limited per user, not per IP: many users may share an address. */
const sendLimit = (app: FastifyInstance) => ({
  max: app.config.rateLimit.messages,
  timeWindow: 60_000,
  keyGenerator: (request: FastifyRequest) => `messages:${request.user?.id ?? request.ip}`,
});

const sent = (reply: FastifyReply, { message, created }: { message: Message; created: boolean }) =>
  reply.status(created ? 201 : 200).send(message);

export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['messages'];
  const context = messagesContext(app.db, (userId, type, data) =>
    app.events.publish(userId, type, data),
  );

  app.post(
    '/messages',
    {
      config: { ...auth, verifiedEmail: true, rateLimit: sendLimit(app) },
      schema: {
        operationId: 'messages.send',
        tags,
        summary: 'Send a message; the conversation is made on the first one',
        body: SendMessageRequest,
        headers: IdempotencyHeaders,
        response: { 200: Message, 201: Message },
      },
    },
    async (request, reply) => {
      const { recipientId, content, parentId } = request.body;
      const input = { recipientId, content, parentId, idempotencyKey: idempotencyKey(request) };
      return sent(reply, await sendMessage(context, request.me().id, input));
    },
  );

  for (const [path, box, operationId, summary] of [
    ['/messages', 'all', 'messages.list', 'Your sent and received messages, newest first'],
    ['/messages/sent', 'sent', 'messages.listSent', 'Messages you sent'],
    ['/messages/received', 'received', 'messages.listReceived', 'Messages you received'],
  ] as const) {
    app.get(
      path,
      {
        config: auth,
        schema: {
          operationId,
          tags,
          summary,
          querystring: PageQuery,
          response: { 200: MessagePage },
        },
      },
      async (request) => listMessages(app.db, request.me().id, box, request.query),
    );
  }

  app.get(
    '/messages/unread/count',
    {
      config: auth,
      schema: {
        operationId: 'messages.unreadCount',
        tags,
        summary: 'How many received messages are unread',
        response: { 200: UnreadCount },
      },
    },
    async (request) => unreadCount(app.db, request.me().id),
  );

  app.put(
    '/messages/read-all',
    {
      config: auth,
      schema: {
        operationId: 'messages.markAllRead',
        tags,
        summary: 'Mark every received message read',
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await readAll(context, request.me().id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/messages/:id',
    {
      config: auth,
      schema: {
        operationId: 'messages.get',
        tags,
        summary: 'One message you sent or received',
        params: MessageParams,
        response: { 200: Message },
      },
    },
    async (request) => getMessage(app.db, request.me().id, request.params.id),
  );

  app.patch(
    '/messages/:id',
    {
      config: auth,
      schema: {
        operationId: 'messages.update',
        tags,
        summary: 'Edit a message you sent',
        params: MessageParams,
        body: EditMessageRequest,
        response: { 200: Message },
      },
    },
    async (request) =>
      editMessage(app.db, request.me().id, request.params.id, request.body.content),
  );

  app.put(
    '/messages/:id/read',
    {
      config: auth,
      schema: {
        operationId: 'messages.markRead',
        tags,
        summary: 'Mark a message you received read',
        params: MessageParams,
        response: { 200: Message },
      },
    },
    async (request) => markRead(context, request.me().id, request.params.id),
  );

  app.delete(
    '/messages/:id',
    {
      config: auth,
      schema: {
        operationId: 'messages.delete',
        tags,
        summary: 'Delete a message on your side only',
        params: MessageParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteMessage(app.db, request.me().id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  await app.register(conversationRoutes(context));
};

const idempotencyKey = (request: FastifyRequest) => {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
};

const conversationRoutes =
  (context: MessagesContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['conversations'];
    app.get(
      '/conversations',
      {
        config: auth,
        schema: {
          operationId: 'conversations.list',
          tags,
          summary: 'Your conversations, most recent first, with the unread count of each',
          querystring: PageQuery,
          response: { 200: ConversationPage },
        },
      },
      async (request) => listConversations(context, request.me().id, request.query),
    );

    app.get(
      '/conversations/:id/messages',
      {
        config: auth,
        schema: {
          operationId: 'conversations.listMessages',
          tags,
          summary: 'The messages of one of your conversations, newest first',
          params: MessageParams,
          querystring: PageQuery,
          response: { 200: MessagePage },
        },
      },
      async (request) =>
        conversationMessages(app.db, request.me().id, request.params.id, request.query),
    );

    app.post(
      '/conversations/:id/messages',
      {
        config: { ...auth, verifiedEmail: true, rateLimit: sendLimit(app) },
        schema: {
          operationId: 'conversations.reply',
          tags,
          summary: 'Send a message to the other participant',
          params: MessageParams,
          body: ConversationMessageRequest,
          headers: IdempotencyHeaders,
          response: { 200: Message, 201: Message },
        },
      },
      async (request, reply) => {
        const { content, parentId } = request.body;
        const input = { content, parentId, idempotencyKey: idempotencyKey(request) };
        const conversationId = request.params.id;
        return sent(
          reply,
          await sendInConversation(context, request.me().id, conversationId, input),
        );
      },
    );

    app.put(
      '/conversations/:id/read',
      {
        config: auth,
        schema: {
          operationId: 'conversations.markRead',
          tags,
          summary: 'Mark a conversation read',
          params: MessageParams,
          response: { 204: NoContent },
        },
      },
      async (request, reply) => {
        await readConversation(context, request.me().id, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
