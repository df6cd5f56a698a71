import type { JobPayload, QueueName } from '@atrium/contracts';
import type { DatabaseHandle } from '@atrium/db';
import { enqueue } from './outbox.js';
import type { Logger } from './types.js';

/** A job enqueued every `everyMs` (a maintenance task, a sync); `name` is unique in its queue. */
export interface RepeatingJob<Q extends QueueName = QueueName> {
  queue: Q;
  name: string;
  payload: JobPayload<Q>;
  everyMs: number;
}

export const repeatingKey = (job: RepeatingJob) => `${job.queue}:${job.name}`;

/**
 * The in-process driver's scheduler: a timer per job writes it to the outbox. The idempotency key
 * names the period, so several processes sharing a database enqueue each run once. (With Redis,
 * BullMQ's job schedulers do this: `upsertRepeatingJobs`.)
 */
export function startRepeatingTimers(
  database: DatabaseHandle,
  log: Logger,
  jobs: RepeatingJob[],
): () => void {
  const timers = jobs.map((job) => {
    const timer = setInterval(() => {
      const idempotencyKey = `${repeatingKey(job)}:${Math.floor(Date.now() / job.everyMs)}`;
      database.db
        .transaction((tx) => enqueue(tx, job.queue, job.payload, { idempotencyKey }))
        .catch((err: unknown) => log.warn({ err, job: job.name }, 'could not schedule a job'));
    }, job.everyMs);
    timer.unref();
    return timer;
  });
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
