import { sql } from 'drizzle-orm';
import type { Database } from './client.js';

/** The channels each open transaction (begun by a handle's `db.transaction`) will notify. */
const onCommit = new WeakMap<Database, Set<string>>();
/** Each handle's root `db` and its coalesced NOTIFY. */
const notifiers = new WeakMap<Database, (channel: string) => void>();

/**
 * NOTIFY `channel` once the transaction `tx` commits, and never if it rolls back.
 *
 * PostgreSQL serializes the commits of all transactions that issued NOTIFY: each holds a global
 * lock on the notification queue from just before its commit until its commit record is flushed
 * to disk, so concurrent writers that notify lose group commit and commit one fsync at a time.
 * Here the NOTIFY leaves after the commit instead, on its own, and each database handle sends at
 * most one per channel at a time (commits meanwhile fold into the next one), so writers never
 * wait for it. The NOTIFY can be lost (the connection fails right after the commit): listeners
 * must also poll. On the handle's `db` itself each statement commits on its own, so a call made
 * after the write notifies at once, the same way. In a nested transaction (savepoint) it is an
 * ordinary, transactional NOTIFY.
 */
export async function notifyAfterCommit(tx: Database, channel: string): Promise<void> {
  const channels = onCommit.get(tx);
  if (channels) return void channels.add(channel);
  const notify = notifiers.get(tx);
  if (notify) return notify(channel);
  await tx.execute(sql`select pg_notify(${channel}, '')`);
}

/** Makes `db.transaction` send the notifications `notifyAfterCommit` asked for, once committed. */
export function sendNotificationsAfterCommit(db: Database): void {
  const transaction = db.transaction.bind(db);
  const notify = coalescedNotify(db);
  notifiers.set(db, notify);
  db.transaction = (async (run, config) => {
    const channels = new Set<string>();
    const result = await transaction((tx) => {
      onCommit.set(tx, channels);
      return run(tx);
    }, config);
    for (const channel of channels) notify(channel);
    return result;
  }) as Database['transaction'];
}

/** One NOTIFY per channel in flight; calls while it is in flight fold into one more after it. */
function coalescedNotify(db: Database): (channel: string) => void {
  const inFlight = new Map<string, { again: boolean }>();
  const send = (channel: string) => {
    const current = inFlight.get(channel);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: false };
    inFlight.set(channel, state);
    db.execute(sql`select pg_notify(${channel}, '')`)
      .catch(() => {}) // the listener's poll picks the rows up (see notifyAfterCommit)
      .finally(() => {
        inFlight.delete(channel);
        if (state.again) send(channel);
      });
  };
  return send;
}
