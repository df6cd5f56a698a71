import type { QueueName } from '@atrium/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import { type RepeatingJob, repeatingKey } from '../repeating.js';
import type { Logger } from '../types.js';

/**
 * BullMQ keeps jobs as Redis keys: a server that evicts keys under memory pressure loses jobs
 * silently. Throws when the policy is anything but `noeviction`; managed Redis services that
 * disable CONFIG get a warning, since the policy cannot be read there.
 */
export async function checkEvictionPolicy(redisUrl: string, log: Logger): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      throw new Error(
        `Redis maxmemory-policy is "${policy}": BullMQ needs "noeviction" or jobs may be evicted. ` +
          "Set `maxmemory-policy noeviction` in redis.conf (or your provider's settings).",
      );
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/unknown command|NOPERM|disabled|not allowed/i.test(message)) {
      log.warn(
        { err: error },
        'cannot read Redis maxmemory-policy (CONFIG disabled); make sure it is noeviction',
      );
      return;
    }
    throw error;
  } finally {
    redis.disconnect();
  }
}

/**
 * One BullMQ job scheduler per repeating job. Upserting is idempotent, so every worker process may
 * call it at start-up; a queue's schedulers no longer listed are removed, so a dropped job stops.
 */
export async function upsertRepeatingJobs(
  queueOf: (name: QueueName) => Queue,
  jobs: RepeatingJob[],
): Promise<void> {
  const wanted = new Set(jobs.map(repeatingKey));
  for (const job of jobs) {
    await queueOf(job.queue).upsertJobScheduler(
      repeatingKey(job),
      { every: job.everyMs },
      {
        name: job.name,
        data: { payload: job.payload, idempotencyKey: `scheduled:${job.name}` },
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  }
  for (const name of new Set(jobs.map((job) => job.queue))) {
    for (const scheduler of await queueOf(name).getJobSchedulers()) {
      if (scheduler.key && !wanted.has(scheduler.key)) {
        await queueOf(name).removeJobScheduler(scheduler.key);
      }
    }
  }
}

const COUNTED = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * `atrium_queue_jobs{queue,state}`, read from Redis at scrape time. A scrape while Redis is down
 * reports nothing for the queues rather than hanging /metrics.
 */
export function queueCountsCollector(registry: Registry, queues: Queue[]): void {
  new Gauge({
    name: 'atrium_queue_jobs',
    help: 'Jobs in each BullMQ queue by state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await Promise.allSettled(
        queues.map((q) => withDeadline(q.getJobCounts(...COUNTED), 1000)),
      );
      counts.forEach((result, i) => {
        if (result.status !== 'fulfilled') return;
        for (const state of COUNTED) {
          this.set({ queue: queues[i]!.name, state }, result.value[state] ?? 0);
        }
      });
    },
  });
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);
}

/**
 * Queue handles for readers (dashboard, metrics) on one connection that fails fast while Redis
 * is down, so a scrape or a dashboard request errors instead of hanging.
 */
export function openQueues(redisUrl: string, prefix: string, names: readonly string[]) {
  const connection = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  connection.on('error', () => {});
  const queues = names.map((name) => {
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', () => {});
    return queue;
  });
  return {
    queues,
    async close() {
      await Promise.allSettled(queues.map((q) => q.close()));
      connection.disconnect();
    },
  };
}
