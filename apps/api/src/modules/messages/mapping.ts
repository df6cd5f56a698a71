import type { Message } from '@atrium/contracts';
import { conversationParticipants, type Database, type MessageRow, messages } from '@atrium/db';
import { and, eq, or, type Placeholder, sql } from '@atrium/db/orm';

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

/** A message is visible to its sender and recipient, until each deletes it on their side. */
export const visibleTo = (userId: string | Placeholder) =>
  or(
    and(eq(messages.senderId, userId), eq(messages.deletedForSender, false)),
    and(eq(messages.recipientId, userId), eq(messages.deletedForRecipient, false)),
  );

/**
 * Locks the caller's side of a conversation before touching its messages' read state. Every
 * unread-count change takes this lock first, so read, read-all and delete serialize with sends
 * instead of deadlocking or losing an increment.
 */
export async function lockSides(tx: Database, userId: string, conversationId?: string) {
  await tx
    .select({ id: conversationParticipants.conversationId })
    .from(conversationParticipants)
    .where(
      and(
        eq(conversationParticipants.userId, userId),
        conversationId ? eq(conversationParticipants.conversationId, conversationId) : undefined,
      ),
    )
    .orderBy(conversationParticipants.conversationId)
    .for('update');
}

export async function adjustUnread(
  tx: Database,
  userId: string,
  conversationId: string,
  delta: number,
) {
  await tx
    .update(conversationParticipants)
    .set({ unreadCount: sql`greatest(0, ${conversationParticipants.unreadCount} + ${delta})` })
    .where(
      and(
        eq(conversationParticipants.userId, userId),
        eq(conversationParticipants.conversationId, conversationId),
      ),
    );
}
