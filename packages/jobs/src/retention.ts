import { type Database, deliveries, outbox } from '@atrium/db';
import { and, eq, inArray, isNotNull, not, notExists, sql } from '@atrium/db/orm';
import { olderThanDays, onLeadTimeline } from '@atrium/db/queries';

// Retention of the jobs' own tables, run by the maintenance job; each returns the rows removed.

/**
 * Delivered rows only, kept a week for inspection. Failed and pending rows stay, and so do a lead's
 * jobs: its timeline shows them until the lead is erased.
 */
export async function pruneOutbox(db: Database): Promise<number> {
  const rows = await db
    .delete(outbox)
    .where(
      and(
        inArray(outbox.status, ['dispatched', 'completed']),
        olderThanDays(outbox.createdAt, 7),
        not(onLeadTimeline(outbox.idempotencyKey)),
      ),
    )
    .returning({ id: outbox.id });
  return rows.length;
}

/**
 * Kept longer than any job can be redelivered (BullMQ keeps failed jobs 14 days). Finished rows
 * only (done, logged or not sent: each has a done_at); pending ones stay, and so does every row
 * whose job is still in the outbox (a lead's timeline shows its status until the lead is erased).
 */
export async function pruneDeliveries(db: Database): Promise<number> {
  const rows = await db
    .delete(deliveries)
    .where(
      and(
        isNotNull(deliveries.doneAt),
        olderThanDays(deliveries.doneAt, 30),
        notExists(
          db.select({ one: sql`1` }).from(outbox).where(eq(outbox.idempotencyKey, deliveries.key)),
        ),
      ),
    )
    .returning({ key: deliveries.key });
  return rows.length;
}
