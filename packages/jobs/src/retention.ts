import { type Database, deliveries, outbox } from '@atrium/db';
import { and, inArray, isNotNull } from '@atrium/db/orm';
import { olderThanDays } from '@atrium/db/queries';

// Retention of the jobs' own tables, run by the maintenance job; each returns the rows removed.

/** Delivered rows only, kept a week for inspection. Failed and pending rows stay. */
export async function pruneOutbox(db: Database): Promise<number> {
  const rows = await db
    .delete(outbox)
    .where(
      and(inArray(outbox.status, ['dispatched', 'completed']), olderThanDays(outbox.createdAt, 7)),
    )
    .returning({ id: outbox.id });
  return rows.length;
}

/**
 * Kept longer than any job can be redelivered (BullMQ keeps failed jobs 14 days). Finished rows
 * only (done, logged or not sent: each has a done_at); pending ones stay.
 */
export async function pruneDeliveries(db: Database): Promise<number> {
  const rows = await db
    .delete(deliveries)
    .where(and(isNotNull(deliveries.doneAt), olderThanDays(deliveries.doneAt, 30)))
    .returning({ key: deliveries.key });
  return rows.length;
}
