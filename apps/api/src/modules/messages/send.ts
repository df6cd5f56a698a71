import type { Message } from '@atrium/contracts';
import {
  conversationParticipants,
  conversations,
  type Database,
  messages,
  users,
} from '@atrium/db';
import { and, eq, getTableColumns, sql } from '@atrium/db/orm';
import { uuidv7 } from 'uuidv7';
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

async function sentWithKey(db: Database, senderId: string, key: string | undefined) {
  if (!key) return undefined;
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.senderId, senderId), eq(messages.idempotencyKey, key)));
  return row;
}

/**
 * The whole send in one statement, for a conversation that exists: the recipient must be active
 * and a parent visible to the sender in the same conversation; the insert skips an idempotency
 * key already used; both sides move to the new message (`greatest`, so a send that commits later
 * with an older id cannot move a side back) and the recipient's unread count goes up by one.
 * No row back means one of those did not hold: `sendMessage` then finds out which.
 */
export function prepareSend(db: Database) {
  const p = (name: string) => sql.placeholder(name);
  const sender = sql`${p('senderId')}::uuid`;
  const recipient = sql`${p('recipientId')}::uuid`;
  const parent = sql`${p('parentId')}::uuid`;
  const sent = db.$with('sent', getTableColumns(messages)).as(sql`
    insert into ${messages} (id, conversation_id, sender_id, recipient_id, parent_id, content, idempotency_key)
    select ${p('id')}::uuid, c.id, ${sender}, ${recipient}, ${parent}, ${p('content')}::text, ${p('idempotencyKey')}::text
    from ${conversations} c
    join ${users} r on r.id = ${recipient} and r.is_active
    where c.user_a = least(${sender}, ${recipient}) and c.user_b = greatest(${sender}, ${recipient})
      and (${parent} is null or exists (
        select from ${messages} m where m.id = ${parent} and m.conversation_id = c.id
          and ((m.sender_id = ${sender} and not m.deleted_for_sender)
            or (m.recipient_id = ${sender} and not m.deleted_for_recipient))))
    on conflict do nothing
    returning *`);
  // Both sides are locked in user order first: two sends updating them in whatever order a
  // plan visits them would deadlock.
  const sides = db.$with('sides', {}).as(sql`
    update ${conversationParticipants} s
    set last_message_id = greatest(s.last_message_id, sent.id),
      unread_count = s.unread_count + (s.user_id = sent.recipient_id)::int
    from sent, (
      select p.user_id from ${conversationParticipants} p join sent using (conversation_id)
      order by p.user_id for update of p
    ) locked
    where s.conversation_id = sent.conversation_id and s.user_id = locked.user_id`);
  return db.with(sent, sides).select().from(sent).prepare('messages_send');
}
export type PreparedSend = ReturnType<typeof prepareSend>;

/**
 * Sends a message; the conversation's sides (last message, the recipient's unread count) move
 * with it in the same statement. `created` is false when an idempotency key replayed an earlier
 * send. Most sends are that one statement; the first message of a pair, a refused send and a
 * replay take the slower path that finds out why no row came back.
 */
export async function sendMessage(
  db: Database,
  send: PreparedSend,
  senderId: string,
  input: SendInput,
): Promise<{ message: Message; created: boolean }> {
  const values = {
    id: uuidv7(),
    senderId,
    recipientId: input.recipientId,
    parentId: input.parentId ?? null,
    content: input.content,
    idempotencyKey: input.idempotencyKey ?? null,
  };
  for (let attempt = 1; ; attempt++) {
    const [message] = await send.execute(values);
    if (message) return { message: toMessage(message), created: true };
    // A replay, or a concurrent retry with the same key that won the insert.
    const earlier = await sentWithKey(db, senderId, input.idempotencyKey);
    if (earlier) return { message: toMessage(earlier), created: false };
    await checkRecipient(db, senderId, input.recipientId);
    const conversationId = await db.transaction((tx) =>
      conversationOf(tx, senderId, input.recipientId),
    );
    if (input.parentId) await checkParent(db, senderId, conversationId, input.parentId);
    if (attempt === 2) throw new Error('message send inserted nothing twice');
  }
}
