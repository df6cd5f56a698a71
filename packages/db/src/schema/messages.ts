import { ReportStatuses } from '@atrium/contracts';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { createdAt, id, instant } from './columns.js';

const userRef = () =>
  uuid()
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' });

/** One conversation per unordered pair: user_a < user_b, so (a, b) and (b, a) are one row. */
export const conversations = pgTable(
  'conversations',
  {
    id: id(),
    userA: userRef(),
    userB: userRef(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('conversations_pair_unique').on(t.userA, t.userB),
    index('conversations_user_b_idx').on(t.userB),
    check('conversations_pair_ordered', sql`${t.userA} < ${t.userB}`),
  ],
);
export type ConversationRow = typeof conversations.$inferSelect;

/**
 * Each participant's side of a conversation: its unread count is kept in the same transaction as
 * every send, read and delete, so counting never scans messages. `last_message_id` is the latest
 * message still visible to that participant (null once they deleted them all) and orders their
 * conversation list by activity.
 */
export const conversationParticipants = pgTable(
  'conversation_participants',
  {
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: userRef(),
    otherUserId: userRef(),
    unreadCount: integer().notNull().default(0),
    lastMessageId: uuid(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.userId] }),
    index('conversation_participants_user_last_idx').on(t.userId, t.lastMessageId),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: id(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    senderId: userRef(),
    recipientId: userRef(),
    parentId: uuid().references((): AnyPgColumn => messages.id, { onDelete: 'set null' }),
    content: text().notNull(),
    readAt: instant(),
    editedAt: instant(),
    deletedForSender: boolean().notNull().default(false),
    deletedForRecipient: boolean().notNull().default(false),
    /** The sender's `Idempotency-Key`: a retried send returns the message it already made. */
    idempotencyKey: text(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('messages_sender_idempotency_unique')
      .on(t.senderId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('messages_conversation_id_idx').on(t.conversationId, t.id),
    index('messages_sender_id_idx').on(t.senderId, t.id),
    index('messages_recipient_id_idx').on(t.recipientId, t.id),
  ],
);
export type MessageRow = typeof messages.$inferSelect;

export const reports = pgTable(
  'reports',
  {
    id: id(),
    reporterId: userRef(),
    title: text().notNull(),
    content: text().notNull(),
    status: text({ enum: ReportStatuses }).notNull().default('open'),
    resolvedAt: instant(),
    resolvedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    index('reports_reporter_id_idx').on(t.reporterId, t.id),
    index('reports_status_id_idx').on(t.status, t.id),
  ],
);
export type ReportRow = typeof reports.$inferSelect;

export const reportComments = pgTable(
  'report_comments',
  {
    id: id(),
    reportId: uuid()
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    authorId: uuid().references(() => users.id, { onDelete: 'set null' }),
    comment: text(),
    statusFrom: text({ enum: ReportStatuses }),
    statusTo: text({ enum: ReportStatuses }),
    createdAt: createdAt(),
  },
  (t) => [index('report_comments_report_id_idx').on(t.reportId, t.id)],
);
export type ReportCommentRow = typeof reportComments.$inferSelect;
