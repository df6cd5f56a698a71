import { type Static, Type } from 'typebox';
import { Id } from './common.js';
import { Message } from './messages.js';
import { Report } from './reports.js';

/** `message.read`: the sender's messages the recipient has just read. */
export const MessagesRead = Type.Object({ messageIds: Type.Array(Id) });
export type MessagesRead = Static<typeof MessagesRead>;

/**
 * The live events of `GET /events` (Server-Sent Events), by name: each frame's `event:` is the
 * name, `data:` the JSON of the schema, `id:` a UUIDv7 to send back as `Last-Event-ID`.
 */
export const LiveEventSchemas = {
  'message.created': Message,
  'message.read': MessagesRead,
  'report.updated': Report,
} as const;
export type LiveEventType = keyof typeof LiveEventSchemas;
export const LiveEventTypes = Object.keys(LiveEventSchemas) as LiveEventType[];
export type LiveEventData<T extends LiveEventType = LiveEventType> = Static<
  (typeof LiveEventSchemas)[T]
>;
/** One live event as a client receives it: a union discriminated by `type`. */
export type LiveEvent = {
  [T in LiveEventType]: { id: string; type: T; data: LiveEventData<T> };
}[LiveEventType];

/**
 * The last event of a stream the server ends, with no id (`Last-Event-ID` stays at the last real
 * event): `session.expired` — refresh the access token and reconnect; `session.ended` — the
 * session is over (signed out, disabled, deleted), and reconnecting with it answers 401.
 */
export const StreamEndReasons = ['session.expired', 'session.ended'] as const;
export type StreamEndReason = (typeof StreamEndReasons)[number];
