import { type QueueName, QueueNames } from '@atrium/contracts';
import type { OutboxRow } from '@atrium/db';
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { isPermanent, RetryLaterError } from '../errors.js';
import type { JobObserver } from '../metrics.js';
import {
  attemptsFor,
  type JobDriver,
  type Logger,
  type Processors,
  type RetryPolicy,
} from '../types.js';
import { runProcessor } from './run-processor.js';

export {
  checkEvictionPolicy,
  openQueues,
  queueCountsCollector,
  upsertRepeatingJobs,
} from './bullmq-admin.js';

export interface BullmqOptions {
  redisUrl: string;
  /** Key prefix in Redis: lets several deployments (or test files) share one server. */
  prefix: string;
}

/** What a BullMQ job carries: the outbox row's payload and key. */
interface JobData {
  payload: unknown;
  idempotencyKey: string;
}

const DISPATCH_TIMEOUT_MS = 5000;

/**
 * Hands outbox rows to BullMQ. The connection fails fast instead of queueing commands while Redis
 * is down (`queue.add` would otherwise hang), so the relay's transaction rolls back and the rows
 * wait in the outbox. The job id is the outbox row id: a row dispatched twice is one job.
 */
export class BullmqDriver implements JobDriver {
  readonly name = 'bullmq';
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly options: BullmqOptions & { retry: RetryPolicy }) {
    this.connection = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    });
    // Connection errors surface as failed dispatches; the relay logs those.
    this.connection.on('error', () => {});
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.options.prefix });
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  async dispatch(rows: OutboxRow[]): Promise<void> {
    const { retry } = this.options;
    const byQueue = new Map<QueueName, OutboxRow[]>();
    for (const row of rows) {
      const name = row.queue as QueueName;
      byQueue.set(name, [...(byQueue.get(name) ?? []), row]);
    }
    const adds = [...byQueue].map(([name, group]) =>
      this.queue(name).addBulk(
        group.map((row) => ({
          name,
          data: { payload: row.payload, idempotencyKey: row.idempotencyKey } satisfies JobData,
          opts: {
            jobId: row.id,
            attempts: attemptsFor(retry, name),
            backoff: { type: 'exponential', delay: retry.baseDelayMs },
            removeOnComplete: { age: 24 * 3600, count: 10_000 },
            removeOnFail: { age: 14 * 24 * 3600 },
          },
        })),
      ),
    );
    await withTimeout(Promise.all(adds), DISPATCH_TIMEOUT_MS, 'BullMQ did not accept the jobs');
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}

export interface WorkerOptions extends BullmqOptions {
  processors: Processors;
  concurrency: number;
  /** Overrides of `concurrency` by queue name (QUEUE_CONCURRENCY). */
  concurrencyByQueue?: Record<string, number>;
  log: Logger;
  queues?: QueueName[];
  observe?: JobObserver;
}

/** One BullMQ worker per queue, running the processors; `close()` finishes in-flight jobs. */
export function startBullmqWorkers(options: WorkerOptions): { close(): Promise<void> } {
  const workers = (options.queues ?? QueueNames).map((name) => {
    const worker = new Worker<JobData>(
      name,
      (job: Job<JobData>, token?: string) => runJob(options, name, job, token),
      {
        connection: { url: options.redisUrl, maxRetriesPerRequest: null },
        prefix: options.prefix,
        concurrency: options.concurrencyByQueue?.[name] ?? options.concurrency,
        // After a Redis outage BullMQ waits this long before fetching again (15 s by default);
        // the outbox has been holding jobs all along, so resume soon after Redis returns.
        runRetryDelay: 2000,
      },
    );
    worker.on('completed', (job) =>
      options.log.info({ jobId: job.id, queue: name, attempt: job.attemptsMade }, 'job completed'),
    );
    worker.on('failed', (job, err) =>
      options.log.warn(
        { jobId: job?.id, queue: name, attempt: job?.attemptsMade, err },
        job && (job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError)
          ? 'job failed after its last attempt'
          : 'job failed; will retry',
      ),
    );
    worker.on('error', (err) => options.log.error({ err, queue: name }, 'worker error'));
    return worker;
  });
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/** Runs one job; a permanent error becomes BullMQ's UnrecoverableError, which skips the retries. */
async function runJob(options: WorkerOptions, name: QueueName, job: Job<JobData>, token?: string) {
  const ctx = {
    jobId: job.id!,
    idempotencyKey: job.data.idempotencyKey,
    attempt: job.attemptsMade + 1,
    log: options.log,
  };
  try {
    await runProcessor(options.processors, name, job.data.payload, ctx, options.observe);
  } catch (error) {
    if (isPermanent(error)) throw new UnrecoverableError((error as Error).message);
    if (error instanceof RetryLaterError) {
      // BullMQ's way to postpone a job without counting a failed attempt.
      await job.moveToDelayed(Date.now() + error.retryInMs, token);
      throw new DelayedError();
    }
    throw error;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
