import type { Conversation, PageQuery } from '@atrium/contracts';
import { conversationParticipants, type Database, messages, users } from '@atrium/db';
import { and, desc, eq, lt, type SQL, sql } from '@atrium/db/orm';
import { NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import { toMessage, visibleTo } from './mapping.js';

export type MessageBox = 'all' | 'sent' | 'received';

const boxFilter = (userId: string, box: MessageBox): SQL | undefined => {
  if (box === 'sent')
    return and(eq(messages.senderId, userId), eq(messages.deletedForSender, false));
  if (box === 'received') {
    return and(eq(messages.recipientId, userId), eq(messages.deletedForRecipient, false));
  }
  return visibleTo(userId);
};

async function pageOfMessages(db: Database, where: SQL | undefined, query: PageQuery) {
  const limit = query.limit ?? 20;
  const cursor = idCursor(query.cursor);
  const rows = await db
    .select()
    .from(messages)
    .where(and(where, cursor ? lt(messages.id, cursor) : undefined))
    .orderBy(desc(messages.id))
    .limit(limit + 1);
  return toPage(rows, limit, toMessage, (r) => r.id);
}

/** The caller's messages, newest first. */
export const listMessages = (db: Database, userId: string, box: MessageBox, query: PageQuery) =>
  pageOfMessages(db, boxFilter(userId, box), query);

/** The other participant of a conversation the caller is part of; others get 404. */
export async function otherParticipant(db: Database, userId: string, conversationId: string) {
  if (!isUuid(conversationId)) throw new NotFound('conversation');
  const [side] = await db
    .select({ otherUserId: conversationParticipants.otherUserId })
    .from(conversationParticipants)
    .where(
      and(
        eq(conversationParticipants.conversationId, conversationId),
        eq(conversationParticipants.userId, userId),
      ),
    );
  if (!side) throw new NotFound('conversation');
  return side.otherUserId;
}

export async function conversationMessages(
  db: Database,
  userId: string,
  conversationId: string,
  query: PageQuery,
) {
  await otherParticipant(db, userId, conversationId);
  return pageOfMessages(
    db,
    and(eq(messages.conversationId, conversationId), visibleTo(userId)),
    query,
  );
}

/** Sorts after every UUID, so the first page needs no separate statement. */
const PAST_ANY_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * The caller's conversations, most recently active first: one prepared keyset query down the
 * (user_id, last_message_id) index, with the other participant and the last message by primary
 * key. A side whose messages the caller has all deleted has no last message and is not listed.
 */
export function prepareListConversations(db: Database) {
  const side = conversationParticipants;
  const userId = sql.placeholder('userId');
  const query = db
    .select({
      id: side.conversationId,
      unreadCount: side.unreadCount,
      lastMessageId: side.lastMessageId,
      other: { id: users.id, username: users.username, fullName: users.fullName },
      last: messages,
    })
    .from(side)
    .innerJoin(users, eq(users.id, side.otherUserId))
    .leftJoin(messages, and(eq(messages.id, side.lastMessageId), visibleTo(userId)))
    .where(and(eq(side.userId, userId), lt(side.lastMessageId, sql.placeholder('before'))))
    .orderBy(desc(side.lastMessageId))
    .limit(sql.placeholder('limit'))
    .prepare('conversations_list');
  return async (caller: string, page: PageQuery) => {
    const limit = page.limit ?? 20;
    const before = idCursor(page.cursor) ?? PAST_ANY_ID;
    const rows = await query.execute({ userId: caller, before, limit: limit + 1 });
    return toPage(
      rows,
      limit,
      (r): Conversation => ({
        id: r.id,
        otherParticipant: r.other,
        lastMessage: r.last ? toMessage(r.last) : null,
        unreadCount: r.unreadCount,
      }),
      (r) => r.lastMessageId!,
    );
  };
}
