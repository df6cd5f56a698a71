import type { Message } from '@atrium/contracts';
import {
  conversationParticipants,
  conversations,
  type Database,
  messages,
  users,
} from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { BadRequest } from '../../errors.js';
import { toMessage, visibleTo } from './mapping.js';

const refused = (path: string, message: string, detail: string) =>
  new BadRequest(detail, [{ path, message }]);

/** The pair's conversation, made on their first message; concurrent first messages share one. */
async function conversationOf(tx: Database, a: string, b: string): Promise<string> {
  const [userA, userB] = a < b ? [a, b] : [b, a];
  const find = () =>
    tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.userA, userA), eq(conversations.userB, userB)));
  // Most sends go to an existing conversation: one select, no writes.
  const [existing] = await find();
  if (existing) return existing.id;
  await tx.insert(conversations).values({ userA, userB }).onConflictDoNothing();
  const id = (await find())[0]!.id;
  await tx
    .insert(conversationParticipants)
    .values([
      { conversationId: id, userId: a, otherUserId: b },
      { conversationId: id, userId: b, otherUserId: a },
    ])
    .onConflictDoNothing();
  return id;
}

async function checkRecipient(tx: Database, senderId: string, recipientId: string) {
  if (recipientId === senderId) {
    throw refused('/body/recipientId', 'is yourself', 'You cannot send a message to yourself.');
  }
  const [recipient] = await tx
    .select({ isActive: users.isActive })
    .from(users)
    .where(eq(users.id, recipientId));
  if (!recipient?.isActive) {
    throw refused(
      '/body/recipientId',
      'is not an active user',
      'The recipient does not exist or their account is disabled.',
    );
  }
}

/** A reply must answer a message of the same conversation that the sender can still see. */
async function checkParent(
  tx: Database,
  senderId: string,
  conversationId: string,
  parentId: string,
) {
  const [parent] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.id, parentId),
        eq(messages.conversationId, conversationId),
        visibleTo(senderId),
      ),
    );
  if (!parent) {
    throw refused(
      '/body/parentId',
      'is not a message of this conversation',
      'A reply must answer a message of the same conversation.',
    );
  }
}

export interface SendInput {
  recipientId: string;
  content: string;
  parentId?: string | null;
  /** From the `Idempotency-Key` header: the same key from the same sender is one message. */
  idempotencyKey?: string;
}

async function sentWithKey(tx: Database, senderId: string, key: string | undefined) {
  if (!key) return undefined;
  const [row] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.senderId, senderId), eq(messages.idempotencyKey, key)));
  return row;
}

/**
 * Sends a message; the conversation, its last message and the recipient's unread count move with
 * it. `created` is false when an idempotency key replayed an earlier send.
 */
export async function sendMessage(
  db: Database,
  senderId: string,
  input: SendInput,
): Promise<{ message: Message; created: boolean }> {
  return db.transaction(async (tx) => {
    const earlier = await sentWithKey(tx, senderId, input.idempotencyKey);
    if (earlier) return { message: toMessage(earlier), created: false };
    await checkRecipient(tx, senderId, input.recipientId);
    const conversationId = await conversationOf(tx, senderId, input.recipientId);
    if (input.parentId) await checkParent(tx, senderId, conversationId, input.parentId);
    const [message] = await tx
      .insert(messages)
      .values({
        conversationId,
        senderId,
        recipientId: input.recipientId,
        parentId: input.parentId ?? null,
        content: input.content,
        idempotencyKey: input.idempotencyKey ?? null,
      })
      // A concurrent retry with the same key waits for the first and then inserts nothing.
      .onConflictDoNothing()
      .returning();
    if (!message) {
      const first = await sentWithKey(tx, senderId, input.idempotencyKey);
      if (first) return { message: toMessage(first), created: false };
      throw new Error('message insert conflicted without an idempotency key');
    }
    await tx
      .update(conversations)
      .set({ lastMessageId: message.id })
      .where(eq(conversations.id, conversationId));
    await tx
      .update(conversationParticipants)
      .set({
        lastMessageId: message.id,
        unreadCount: sql`${conversationParticipants.unreadCount} + case when ${conversationParticipants.userId} = ${input.recipientId} then 1 else 0 end`,
      })
      .where(eq(conversationParticipants.conversationId, conversationId));
    return { message: toMessage(message), created: true };
  });
}
