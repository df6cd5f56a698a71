import type { MaintenanceTask } from '@atrium/contracts';
import {
  type Database,
  deliveries,
  invitations,
  oneTimeTokens,
  outbox,
  refreshTokens,
  sessions,
} from '@atrium/db';
import { and, eq, inArray, isNotNull, lt, or, sql } from '@atrium/db/orm';
import type { Processor } from '@atrium/jobs';

/** A housekeeping task: safe to run twice, returns how many rows it removed. */
type Task = (db: Database) => Promise<number>;

const olderThan = (column: Parameters<typeof lt>[0], days: number) =>
  lt(column, sql`now() - make_interval(days => ${days})`);

/**
 * The task list. Each task is one entry here, one name in the contracts' MaintenanceTasks and one
 * line in MAINTENANCE_SCHEDULE — e.g. `'purge-sessions': (db) => count(db.delete(sessions)…)`.
 */
export const maintenanceTasks: Record<MaintenanceTask, Task> = {
  // Delivered rows only; kept a week for inspection. Failed and pending rows stay.
  'prune-outbox': (db) =>
    count(
      db
        .delete(outbox)
        .where(
          and(inArray(outbox.status, ['dispatched', 'completed']), olderThan(outbox.createdAt, 7)),
        )
        .returning({ id: outbox.id }),
    ),
  // Kept longer than any job can be redelivered (BullMQ keeps failed jobs 14 days).
  'prune-deliveries': (db) =>
    count(
      db
        .delete(deliveries)
        .where(and(eq(deliveries.status, 'done'), olderThan(deliveries.doneAt, 30)))
        .returning({ key: deliveries.key }),
    ),
  // Ended sessions (expired, or revoked a day ago: recent ones still explain a reuse alarm).
  // Their refresh tokens go with them (foreign key cascade).
  'purge-sessions': (db) =>
    count(
      db
        .delete(sessions)
        .where(or(lt(sessions.expiresAt, sql`now()`), olderThan(sessions.revokedAt, 1)))
        .returning({ id: sessions.id }),
    ),
  'purge-refresh-tokens': (db) =>
    count(
      db
        .delete(refreshTokens)
        .where(lt(refreshTokens.expiresAt, sql`now()`))
        .returning({ id: refreshTokens.id }),
    ),
  'purge-one-time-tokens': (db) =>
    count(
      db
        .delete(oneTimeTokens)
        .where(or(lt(oneTimeTokens.expiresAt, sql`now()`), isNotNull(oneTimeTokens.usedAt)))
        .returning({ id: oneTimeTokens.id }),
    ),
  // Expired, accepted or revoked invitations, kept 30 days for the org's admins to see.
  'purge-invitations': (db) =>
    count(
      db
        .delete(invitations)
        .where(
          or(
            olderThan(invitations.expiresAt, 30),
            olderThan(invitations.acceptedAt, 30),
            olderThan(invitations.revokedAt, 30),
          ),
        )
        .returning({ id: invitations.id }),
    ),
};

export interface ScheduledTask {
  task: MaintenanceTask;
  everyMs: number;
}

/** How often each task runs: BullMQ job schedulers in production, a timer embedded. */
export const MAINTENANCE_SCHEDULE: ScheduledTask[] = [
  { task: 'prune-outbox', everyMs: 3_600_000 },
  { task: 'prune-deliveries', everyMs: 6 * 3_600_000 },
  { task: 'purge-sessions', everyMs: 3_600_000 },
  { task: 'purge-refresh-tokens', everyMs: 3_600_000 },
  { task: 'purge-one-time-tokens', everyMs: 3_600_000 },
  { task: 'purge-invitations', everyMs: 24 * 3_600_000 },
];

const count = async (rows: Promise<unknown[]>) => (await rows).length;

export const maintenance =
  (db: Database): Processor<'maintenance'> =>
  async (payload, ctx) => {
    const removed = await maintenanceTasks[payload.task](db);
    ctx.log.info({ jobId: ctx.jobId, task: payload.task, removed }, 'maintenance task done');
  };
