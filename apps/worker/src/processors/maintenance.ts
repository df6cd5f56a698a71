import type { MaintenanceTask } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import {
  pruneAudit,
  purgeEndedSessions,
  purgeExpiredRefreshTokens,
  purgeOldInvitations,
  purgeSpentOneTimeTokens,
} from '@atrium/db/queries';
import { type Processor, pruneDeliveries, pruneOutbox, type RepeatingJob } from '@atrium/jobs';
import { type PipelineDeps, purgeStalePendingUploads, purgeUploads } from './uploads/index.js';

/** Audit retention: days kept (0: forever), the checkpoint signing key, and the clock it reads. */
export interface AuditRetention {
  retentionDays: number;
  key: Buffer;
  now?: () => Date;
}

/** What the tasks need: the database, for uploads their storage and clock, for the audit log its retention. */
export type MaintenanceDeps = PipelineDeps & { audit?: AuditRetention };
type Task = (deps: MaintenanceDeps) => Promise<number>;
const onDb =
  (task: (db: Database) => Promise<number>): Task =>
  ({ db }) =>
    task(db);

/**
 * The housekeeping tasks, each the retention function of the feature that owns the tables (safe
 * to run twice; returns how many rows it removed). A task is one entry here, one name in the
 * contracts' MaintenanceTasks and one line in MAINTENANCE_SCHEDULE.
 */
export const maintenanceTasks: Record<MaintenanceTask, Task> = {
  'prune-outbox': onDb(pruneOutbox),
  'prune-deliveries': onDb(pruneDeliveries),
  'purge-sessions': onDb(purgeEndedSessions),
  'purge-refresh-tokens': onDb(purgeExpiredRefreshTokens),
  'purge-one-time-tokens': onDb(purgeSpentOneTimeTokens),
  'purge-invitations': onDb(purgeOldInvitations),
  'purge-uploads': purgeUploads,
  'purge-stale-uploads': purgeStalePendingUploads,
  'prune-audit': async ({ db, audit }) => {
    // A worker built without it is a wiring bug: fail loudly rather than keep the log forever.
    if (!audit) throw new Error('audit retention is not configured in this worker');
    return pruneAudit(db, {
      retentionDays: audit.retentionDays,
      key: audit.key,
      now: audit.now?.(),
    });
  },
};

const HOUR = 3_600_000;
const every = (task: MaintenanceTask, everyMs: number) => ({
  name: task,
  payload: { task },
  everyMs,
});

/** How often each task runs: BullMQ job schedulers in production, a timer embedded. */
export const MAINTENANCE_SCHEDULE: Omit<RepeatingJob<'maintenance'>, 'queue'>[] = [
  every('prune-outbox', HOUR),
  every('prune-deliveries', 6 * HOUR),
  every('purge-sessions', HOUR),
  every('purge-refresh-tokens', HOUR),
  every('purge-one-time-tokens', HOUR),
  every('purge-invitations', 24 * HOUR),
  every('purge-uploads', 6 * HOUR),
  every('purge-stale-uploads', 6 * HOUR),
  every('prune-audit', 24 * HOUR),
];

export const maintenance =
  (deps: MaintenanceDeps): Processor<'maintenance'> =>
  async (payload, ctx) => {
    const removed = await maintenanceTasks[payload.task](deps);
    ctx.log.info({ jobId: ctx.jobId, task: payload.task, removed }, 'maintenance task done');
  };
