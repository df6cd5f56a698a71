import {
  conversationParticipants,
  conversations,
  type Database,
  type MessageRow,
  messages,
  users,
} from '@atrium/db';
import {
  and,
  desc,
  eq,
  getTableColumns,
  isNull,
  lt,
  or,
  type Placeholder,
  type SQL,
  sql,
} from '@atrium/db/orm';

/** A message is visible to its sender and recipient, until each deletes it on their side. */
const visibleTo = (userId: string | Placeholder) =>
  or(
    and(eq(messages.senderId, userId), eq(messages.deletedForSender, false)),
    and(eq(messages.recipientId, userId), eq(messages.deletedForRecipient, false)),
  );

/** The caller's side of one conversation, or every side of theirs when none is given. */
const sidesOf = (userId: string, conversationId?: string) =>
  and(
    eq(conversationParticipants.userId, userId),
    conversationId ? eq(conversationParticipants.conversationId, conversationId) : undefined,
  );

export type MessageBox = 'all' | 'sent' | 'received';

/** The caller's messages in one box: all they can see, what they sent, or what they received. */
export const inBox = (userId: string, box: MessageBox): SQL | undefined => {
  if (box === 'sent')
    return and(eq(messages.senderId, userId), eq(messages.deletedForSender, false));
  if (box === 'received') {
    return and(eq(messages.recipientId, userId), eq(messages.deletedForRecipient, false));
  }
  return visibleTo(userId);
};

export const inConversation = (userId: string, conversationId: string) =>
  and(eq(messages.conversationId, conversationId), visibleTo(userId));

/** Up to `limit` + 1 messages older than `cursor`, newest first (the extra one says "more"). */
export const messagePage = (db: Database, where: SQL | undefined, limit: number, cursor?: string) =>
  db
    .select()
    .from(messages)
    .where(and(where, cursor ? lt(messages.id, cursor) : undefined))
    .orderBy(desc(messages.id))
    .limit(limit + 1);

/** The other participant of the caller's side of a conversation, if the caller has one. */
export async function otherParticipantOf(db: Database, userId: string, conversationId: string) {
  const [side] = await db
    .select({ otherUserId: conversationParticipants.otherUserId })
    .from(conversationParticipants)
    .where(sidesOf(userId, conversationId));
  return side?.otherUserId;
}

/**
 * The caller's conversations, most recently active first: one prepared keyset query down the
 * (user_id, last_message_id) index, with the other participant and the last message by primary
 * key. A side whose messages the caller has all deleted has no last message and is not listed.
 */
export function prepareConversationPage(db: Database) {
  const side = conversationParticipants;
  const userId = sql.placeholder('userId');
  return db
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
}
export type PreparedConversationPage = ReturnType<typeof prepareConversationPage>;
export type ConversationRow = Awaited<ReturnType<PreparedConversationPage['execute']>>[number];

/**
 * The whole send in one statement, for a conversation that exists: the recipient must be active
 * and a parent visible to the sender in the same conversation; the insert skips an idempotency
 * key already used; both sides move to the new message (`greatest`, so a send that commits later
 * with an older id cannot move a side back) and the recipient's unread count goes up by one.
 * No row back means one of those did not hold: the service then finds out which.
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

export async function sentWithKey(db: Database, senderId: string, key: string) {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.senderId, senderId), eq(messages.idempotencyKey, key)));
  return row;
}

export async function isActiveUser(db: Database, userId: string) {
  const [user] = await db
    .select({ isActive: users.isActive })
    .from(users)
    .where(eq(users.id, userId));
  return user?.isActive === true;
}

/** The pair's conversation, made on their first message; concurrent first messages share one. */
export async function ensureConversation(tx: Database, a: string, b: string): Promise<string> {
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

/** Whether `messageId` is a message of the conversation that `userId` can still see. */
export async function isVisibleIn(
  db: Database,
  userId: string,
  conversationId: string,
  messageId: string,
) {
  const [found] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.id, messageId), inConversation(userId, conversationId)));
  return found !== undefined;
}

export async function visibleMessage(db: Database, userId: string, id: string) {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.id, id), visibleTo(userId)));
  return row;
}

export async function setContent(db: Database, id: string, content: string) {
  const [updated] = await db
    .update(messages)
    .set({ content, editedAt: new Date() })
    .where(eq(messages.id, id))
    .returning();
  return updated!;
}

/** Sets `read_at` unless it is set already; the row back only when this call read it. */
export async function markReadOnce(tx: Database, id: string): Promise<MessageRow | undefined> {
  const [updated] = await tx
    .update(messages)
    .set({ readAt: new Date() })
    .where(and(eq(messages.id, id), isNull(messages.readAt)))
    .returning();
  return updated;
}

/** Marks the recipient's unread messages read (of one conversation when given): id and sender. */
export function markAllRead(tx: Database, userId: string, conversationId?: string) {
  return tx
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
}

export async function hideForSender(tx: Database, id: string) {
  await tx.update(messages).set({ deletedForSender: true }).where(eq(messages.id, id));
}

/** Hides the message for its recipient; `readAt` back only when this call hid it. */
export async function hideForRecipient(tx: Database, id: string) {
  const [hidden] = await tx
    .update(messages)
    .set({ deletedForRecipient: true })
    .where(and(eq(messages.id, id), eq(messages.deletedForRecipient, false)))
    .returning({ readAt: messages.readAt });
  return hidden;
}

/**
 * Locks the caller's side of a conversation (every side of theirs when none is given) before
 * touching its messages' read state. Every unread-count change takes this lock first, so read,
 * read-all and delete serialize with sends instead of deadlocking or losing an increment.
 */
export async function lockSides(tx: Database, userId: string, conversationId?: string) {
  await tx
    .select({ id: conversationParticipants.conversationId })
    .from(conversationParticipants)
    .where(sidesOf(userId, conversationId))
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
    .where(sidesOf(userId, conversationId));
}

export async function clearUnread(tx: Database, userId: string, conversationId?: string) {
  await tx
    .update(conversationParticipants)
    .set({ unreadCount: 0 })
    .where(sidesOf(userId, conversationId));
}

/**
 * The caller's side of a conversation points at their latest message still visible to them once
 * `deletedId`, its last message, is hidden; with none left it is null and the conversation leaves
 * their list until the next message. A send racing with this either commits first (its new id no
 * longer matches `deletedId`, so nothing changes) or waits for the row and sets its own id.
 */
export async function pointPastDeleted(
  tx: Database,
  userId: string,
  conversationId: string,
  deletedId: string,
) {
  const side = conversationParticipants;
  const latestVisible = tx
    .select({ id: messages.id })
    .from(messages)
    .where(inConversation(userId, conversationId))
    .orderBy(desc(messages.id))
    .limit(1);
  await tx
    .update(side)
    .set({ lastMessageId: sql`(${latestVisible})` })
    .where(and(sidesOf(userId, conversationId), eq(side.lastMessageId, deletedId)));
}

export async function unreadTotal(db: Database, userId: string) {
  const [row] = await db
    .select({ unread: sql<number>`coalesce(sum(${conversationParticipants.unreadCount}), 0)::int` })
    .from(conversationParticipants)
    .where(sidesOf(userId));
  return Number(row?.unread ?? 0);
}
