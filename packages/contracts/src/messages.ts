import { type Static, Type } from 'typebox';
import { Id, Page, Timestamp } from './common.js';

const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const Content = Type.String({ minLength: 1, maxLength: 5000 });

export const Message = Type.Object({
  id: Id,
  conversationId: Id,
  senderId: Id,
  recipientId: Id,
  parentId: Type.Union([Id, Type.Null()]),
  content: Type.String(),
  readAt: NullableTimestamp,
  editedAt: NullableTimestamp,
  createdAt: Timestamp,
});
export type Message = Static<typeof Message>;
export const MessagePage = Page(Message);

export const SendMessageRequest = Type.Object(
  {
    recipientId: Id,
    content: Content,
    parentId: Type.Optional(Type.Union([Type.Null(), Id])),
  },
  { additionalProperties: false },
);
export type SendMessageRequest = Static<typeof SendMessageRequest>;

/** Sending inside a conversation: the recipient is the other participant. */
export const ConversationMessageRequest = Type.Object(
  { content: Content, parentId: Type.Optional(Type.Union([Type.Null(), Id])) },
  { additionalProperties: false },
);
export type ConversationMessageRequest = Static<typeof ConversationMessageRequest>;

export const EditMessageRequest = Type.Object(
  { content: Content },
  { additionalProperties: false },
);
export type EditMessageRequest = Static<typeof EditMessageRequest>;

export const UnreadCount = Type.Object({ unread: Type.Integer({ minimum: 0 }) });
export type UnreadCount = Static<typeof UnreadCount>;

export const Participant = Type.Object({
  id: Id,
  username: Type.Union([Type.String(), Type.Null()]),
  fullName: Type.Union([Type.String(), Type.Null()]),
});

export const Conversation = Type.Object({
  id: Id,
  otherParticipant: Participant,
  lastMessage: Type.Union([Message, Type.Null()], {
    description:
      'The latest message still visible to you: after you delete it, the one before it. A conversation whose messages you all deleted is not listed.',
  }),
  unreadCount: Type.Integer({ minimum: 0 }),
});
export type Conversation = Static<typeof Conversation>;
export const ConversationPage = Page(Conversation);

/** Message ids are validated in the service so a malformed one answers 404 like a hidden one. */
export const MessageParams = Type.Object({ id: Type.String() }, { additionalProperties: false });
