import type { Message } from '@atrium/contracts';
import { conversationParticipants, type Database, messages } from '@atrium/db';
import { and, desc, eq, isNull, sql } from '@atrium/db/orm';
import { Forbidden, NotFound } from '../../errors.js';
import { isUuid } from '../../pagination.js';
import { adjustUnread, lockSides, toMessage, visibleTo } from './mapping.js';

async function visibleMessage(db: Database, userId: string, id: string) {
  if (!isUuid(id)) throw new NotFound('message');
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.id, id), visibleTo(userId)));
  if (!row) throw new NotFound('message');
  return row;
}

export async function getMessage(db: Database, userId: string, id: string): Promise<Message> {
  return toMessage(await visibleMessage(db, userId, id));
}

export async function editMessage(db: Database, userId: string, id: string, content: string) {
  const row = await visibleMessage(db, userId, id);
  if (row.senderId !== userId) throw new Forbidden('Only the sender can edit a message.');
  const [updated] = await db
    .update(messages)
    .set({ content, editedAt: new Date() })
    .where(eq(messages.id, id))
    .returning();
  return toMessage(updated!);
}

/** Marks one message read; only its recipient may, and only the first read counts. */
export async function markRead(db: Database, userId: string, id: string) {
  const row = await visibleMessage(db, userId, id);
  if (row.recipientId !== userId)
    throw new Forbidden('Only the recipient can mark a message read.');
  return db.transaction(async (tx) => {
    await lockSides(tx, userId, row.conversationId);
    const [updated] = await tx
      .update(messages)
      .set({ readAt: new Date() })
      .where(and(eq(messages.id, id), isNull(messages.readAt)))
      .returning();
    if (updated) await adjustUnread(tx, userId, row.conversationId, -1);
    return { message: toMessage(updated ?? row), changed: updated !== undefined };
  });
}

/**
 * The caller's side of a conversation points at their latest message still visible to them once
 * `deletedId`, its last message, is hidden; with none left it is null and the conversation leaves
 * their list until the next message. A send racing with this either commits first (its new id no
 * longer matches `deletedId`, so nothing changes) or waits for the row and sets its own id.
 */
async function pointPastDeleted(
  tx: Database,
  userId: string,
  conversationId: string,
  deletedId: string,
) {
  const side = conversationParticipants;
  const latestVisible = tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), visibleTo(userId)))
    .orderBy(desc(messages.id))
    .limit(1);
  await tx
    .update(side)
    .set({ lastMessageId: sql`(${latestVisible})` })
    .where(
      and(
        eq(side.userId, userId),
        eq(side.conversationId, conversationId),
        eq(side.lastMessageId, deletedId),
      ),
    );
}

/** Hides the message on the caller's side only; an unread one stops counting for its recipient. */
export async function deleteMessage(db: Database, userId: string, id: string) {
  const row = await visibleMessage(db, userId, id);
  await db.transaction(async (tx) => {
    // Two deletes on one side serialize here, so each sees what the other hid.
    await lockSides(tx, userId, row.conversationId);
    if (row.senderId === userId) {
      await tx.update(messages).set({ deletedForSender: true }).where(eq(messages.id, id));
    } else {
      const [hidden] = await tx
        .update(messages)
        .set({ deletedForRecipient: true })
        .where(and(eq(messages.id, id), eq(messages.deletedForRecipient, false)))
        .returning({ readAt: messages.readAt });
      if (hidden && !hidden.readAt) await adjustUnread(tx, userId, row.conversationId, -1);
    }
    await pointPastDeleted(tx, userId, row.conversationId, id);
  });
}

/** Marks every unread message of the caller read (in one conversation when given). */
export async function readAll(db: Database, userId: string, conversationId?: string) {
  return db.transaction(async (tx) => {
    await lockSides(tx, userId, conversationId);
    const read = await tx
      .update(messages)
      .set({ readAt: new Date() })
      .where(
        and(
          eq(messages.recipientId, userId),
          isNull(messages.readAt),
          eq(messages.deletedForRecipient, false),
          conversationId ? eq(messages.conversationId, conversationId) : undefined,
        ),
      )
      .returning({ id: messages.id, senderId: messages.senderId });
    await tx
      .update(conversationParticipants)
      .set({ unreadCount: 0 })
      .where(
        and(
          eq(conversationParticipants.userId, userId),
          conversationId ? eq(conversationParticipants.conversationId, conversationId) : undefined,
        ),
      );
    return read;
  });
}

export async function unreadCount(db: Database, userId: string) {
  const [row] = await db
    .select({ unread: sql<number>`coalesce(sum(${conversationParticipants.unreadCount}), 0)::int` })
    .from(conversationParticipants)
    .where(eq(conversationParticipants.userId, userId));
  return { unread: Number(row?.unread ?? 0) };
}
