import { type Database, outbox } from '@atrium/db';
import { and, inArray, lt, sql } from '@atrium/db/orm';
import type { Processor } from '@atrium/jobs';

const OUTBOX_RETENTION_DAYS = 7;

/** Housekeeping tasks; each is safe to run twice. */
export const maintenance =
  (db: Database): Processor<'maintenance'> =>
  async (payload, ctx) => {
    switch (payload.task) {
      case 'prune-outbox': {
        const removed = await db
          .delete(outbox)
          .where(
            and(
              inArray(outbox.status, ['dispatched', 'completed']),
              lt(outbox.createdAt, sql`now() - make_interval(days => ${OUTBOX_RETENTION_DAYS})`),
            ),
          )
          .returning({ id: outbox.id });
        ctx.log.info({ removed: removed.length }, 'pruned delivered outbox rows');
      }
    }
  };
