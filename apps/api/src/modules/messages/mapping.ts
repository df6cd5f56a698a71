import type { Conversation, Message } from '@atrium/contracts';
import type { MessageRow } from '@atrium/db';
import type { ConversationRow } from './queries.js';

export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  conversationId: row.conversationId,
  senderId: row.senderId,
  recipientId: row.recipientId,
  parentId: row.parentId,
  content: row.content,
  readAt: row.readAt?.toISOString() ?? null,
  editedAt: row.editedAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

export const toConversation = (row: ConversationRow): Conversation => ({
  id: row.id,
  otherParticipant: row.other,
  lastMessage: row.last ? toMessage(row.last) : null,
  unreadCount: row.unreadCount,
});
