import type { LiveEventData, Message, PageQuery } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import type { SQL } from '@atrium/db/orm';
import { uuidv7 } from 'uuidv7';
import { BadRequest, Forbidden, NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import { toConversation, toMessage } from './mapping.js';
import {
  adjustUnread,
  clearUnread,
  ensureConversation,
  hideForRecipient,
  hideForSender,
  inBox,
  inConversation,
  isActiveUser,
  isVisibleIn,
  lockSides,
  type MessageBox,
  markAllRead,
  markReadOnce,
  messagePage,
  otherParticipantOf,
  type PreparedConversationPage,
  type PreparedSend,
  pointPastDeleted,
  prepareConversationPage,
  prepareSend,
  sentWithKey,
  setContent,
  unreadTotal,
  visibleMessage,
} from './queries.js';

export type { MessageBox };

/**
 * What messaging needs from the app: the database, the statements the hot paths prepare once,
 * and the live-event bus. `publish` is called only after the change it announces has committed,
 * so a listener may read it.
 */
export interface MessagesContext {
  db: Database;
  send: PreparedSend;
  conversationPage: PreparedConversationPage;
  publish<T extends 'message.created' | 'message.read'>(
    userId: string,
    type: T,
    data: LiveEventData<T>,
  ): Promise<void>;
}

export const messagesContext = (
  db: Database,
  publish: MessagesContext['publish'],
): MessagesContext => ({
  db,
  publish,
  send: prepareSend(db),
  conversationPage: prepareConversationPage(db),
});

export interface SendInput {
  recipientId: string;
  content: string;
  parentId?: string | null;
  /** From the `Idempotency-Key` header: the same key from the same sender is one message. */
  idempotencyKey?: string;
}

const refused = (path: string, message: string, detail: string) =>
  new BadRequest(detail, [{ path, message }]);

/** Why the one-statement send inserted nothing, for a recipient that is not the sender. */
async function assertRecipient(db: Database, senderId: string, recipientId: string) {
  if (recipientId === senderId) {
    throw refused('/body/recipientId', 'is yourself', 'You cannot send a message to yourself.');
  }
  if (!(await isActiveUser(db, recipientId))) {
    throw refused(
      '/body/recipientId',
      'is not an active user',
      'The recipient does not exist or their account is disabled.',
    );
  }
}

/** A reply must answer a message of the same conversation that the sender can still see. */
async function assertParent(db: Database, senderId: string, conversationId: string, id: string) {
  if (!(await isVisibleIn(db, senderId, conversationId, id))) {
    throw refused(
      '/body/parentId',
      'is not a message of this conversation',
      'A reply must answer a message of the same conversation.',
    );
  }
}

/**
 * Sends a message; the conversation's sides (last message, the recipient's unread count) move
 * with it in the same statement, and the recipient hears of it once it has committed. `created`
 * is false when an idempotency key replayed an earlier send. Most sends are that one statement;
 * the first message of a pair, a refused send and a replay take the slower path that finds out
 * why no row came back.
 */
export async function sendMessage(
  { db, send, publish }: MessagesContext,
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
    const [row] = await send.execute(values);
    if (row) {
      const message = toMessage(row);
      await publish(message.recipientId, 'message.created', message);
      return { message, created: true };
    }
    // A replay, or a concurrent retry with the same key that won the insert.
    const earlier = input.idempotencyKey && (await sentWithKey(db, senderId, input.idempotencyKey));
    if (earlier) return { message: toMessage(earlier), created: false };
    await assertRecipient(db, senderId, input.recipientId);
    const conversationId = await db.transaction((tx) =>
      ensureConversation(tx, senderId, input.recipientId),
    );
    if (input.parentId) await assertParent(db, senderId, conversationId, input.parentId);
    if (attempt === 2) throw new Error('message send inserted nothing twice');
  }
}

/** The other participant of a conversation the caller is part of; others get 404. */
async function otherParticipant(db: Database, userId: string, conversationId: string) {
  const other = isUuid(conversationId)
    ? await otherParticipantOf(db, userId, conversationId)
    : undefined;
  if (!other) throw new NotFound('conversation');
  return other;
}

/** Sends to the other participant of one of the caller's conversations. */
export async function sendInConversation(
  context: MessagesContext,
  senderId: string,
  conversationId: string,
  input: Omit<SendInput, 'recipientId'>,
) {
  const recipientId = await otherParticipant(context.db, senderId, conversationId);
  const { content, parentId, idempotencyKey } = input;
  return sendMessage(context, senderId, { recipientId, content, parentId, idempotencyKey });
}

async function pageOfMessages(db: Database, where: SQL | undefined, q: PageQuery) {
  const limit = q.limit ?? 20;
  const rows = await messagePage(db, where, limit, idCursor(q.cursor));
  return toPage(rows, limit, toMessage, (r) => r.id);
}

/** The caller's messages, newest first. */
export const listMessages = (db: Database, userId: string, box: MessageBox, q: PageQuery) =>
  pageOfMessages(db, inBox(userId, box), q);

export async function conversationMessages(
  db: Database,
  userId: string,
  conversationId: string,
  q: PageQuery,
) {
  await otherParticipant(db, userId, conversationId);
  return pageOfMessages(db, inConversation(userId, conversationId), q);
}

/** Sorts after every UUID, so the first page needs no separate statement. */
const PAST_ANY_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** The caller's conversations, most recently active first, in one prepared statement. */
export async function listConversations(context: MessagesContext, userId: string, q: PageQuery) {
  const limit = q.limit ?? 20;
  const before = idCursor(q.cursor) ?? PAST_ANY_ID;
  const rows = await context.conversationPage.execute({ userId, before, limit: limit + 1 });
  return toPage(rows, limit, toConversation, (r) => r.lastMessageId!);
}

async function visibleRow(db: Database, userId: string, id: string) {
  const row = isUuid(id) ? await visibleMessage(db, userId, id) : undefined;
  if (!row) throw new NotFound('message');
  return row;
}

export async function getMessage(db: Database, userId: string, id: string): Promise<Message> {
  return toMessage(await visibleRow(db, userId, id));
}

export async function editMessage(db: Database, userId: string, id: string, content: string) {
  const row = await visibleRow(db, userId, id);
  if (row.senderId !== userId) throw new Forbidden('Only the sender can edit a message.');
  return toMessage(await setContent(db, id, content));
}

/** Marks one message read; only its recipient may, and only the first read tells the sender. */
export async function markRead({ db, publish }: MessagesContext, userId: string, id: string) {
  const row = await visibleRow(db, userId, id);
  if (row.recipientId !== userId)
    throw new Forbidden('Only the recipient can mark a message read.');
  const read = await db.transaction(async (tx) => {
    await lockSides(tx, userId, row.conversationId);
    const updated = await markReadOnce(tx, id);
    if (updated) await adjustUnread(tx, userId, row.conversationId, -1);
    return updated;
  });
  if (read) await publish(read.senderId, 'message.read', { messageIds: [read.id] });
  return toMessage(read ?? row);
}

/** Hides the message on the caller's side only; an unread one stops counting for its recipient. */
export async function deleteMessage(db: Database, userId: string, id: string) {
  const row = await visibleRow(db, userId, id);
  await db.transaction(async (tx) => {
    // Two deletes on one side serialize here, so each sees what the other hid.
    await lockSides(tx, userId, row.conversationId);
    if (row.senderId === userId) {
      await hideForSender(tx, id);
    } else {
      const hidden = await hideForRecipient(tx, id);
      if (hidden && !hidden.readAt) await adjustUnread(tx, userId, row.conversationId, -1);
    }
    await pointPastDeleted(tx, userId, row.conversationId, id);
  });
}

/** Marks every unread message of the caller read, then tells each sender which of theirs. */
export async function readAll({ db, publish }: MessagesContext, userId: string) {
  await announceReads(publish, await readEvery(db, userId));
}

/** Marks one of the caller's conversations read, then tells the other participant. */
export async function readConversation(
  { db, publish }: MessagesContext,
  userId: string,
  conversationId: string,
) {
  await otherParticipant(db, userId, conversationId);
  await announceReads(publish, await readEvery(db, userId, conversationId));
}

function readEvery(db: Database, userId: string, conversationId?: string) {
  return db.transaction(async (tx) => {
    await lockSides(tx, userId, conversationId);
    const read = await markAllRead(tx, userId, conversationId);
    await clearUnread(tx, userId, conversationId);
    return read;
  });
}

async function announceReads(
  publish: MessagesContext['publish'],
  read: { id: string; senderId: string }[],
) {
  const bySender = new Map<string, string[]>();
  for (const { id, senderId } of read)
    bySender.set(senderId, [...(bySender.get(senderId) ?? []), id]);
  for (const [senderId, messageIds] of bySender) {
    await publish(senderId, 'message.read', { messageIds });
  }
}

export async function unreadCount(db: Database, userId: string) {
  return { unread: await unreadTotal(db, userId) };
}
