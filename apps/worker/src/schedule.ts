import type { DatabaseHandle } from '@atrium/db';
import { enqueue, type Logger } from '@atrium/jobs';
import type { ScheduledTask } from './processors/maintenance.js';

/**
 * Embedded mode's scheduler: a timer per task writes a maintenance job to the outbox. The key
 * names the period, so several processes sharing a database enqueue each run once.
 */
export function startMaintenanceTimers(
  database: DatabaseHandle,
  log: Logger,
  schedule: ScheduledTask[],
): () => void {
  const timers = schedule.map(({ task, everyMs }) => {
    const timer = setInterval(() => {
      const idempotencyKey = `maintenance:${task}:${Math.floor(Date.now() / everyMs)}`;
      database.db
        .transaction((tx) => enqueue(tx, 'maintenance', { task }, { idempotencyKey }))
        .catch((err: unknown) => log.warn({ err, task }, 'could not schedule maintenance'));
    }, everyMs);
    timer.unref();
    return timer;
  });
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
