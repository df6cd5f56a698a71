import type { Config } from '@atrium/config';
import type { DatabaseHandle } from '@atrium/db';
import {
  InProcessDriver,
  type JobDriver,
  type Logger,
  OutboxRelay,
  type Processors,
} from '@atrium/jobs';
import { createProcessors } from './processors/index.js';

export interface WorkerOptions {
  config: Config;
  database: DatabaseHandle;
  log: Logger;
  /** Replaces the processors (tests count what runs). */
  processors?: Processors;
}

export interface RunningWorker {
  driver: JobDriver;
  relay: OutboxRelay;
  /** Stops taking work and waits for the jobs in flight. */
  close(): Promise<void>;
}

/**
 * The worker: an outbox relay plus the processors. With REDIS_URL the relay feeds BullMQ and one
 * BullMQ worker per queue runs the jobs (any number of worker processes may run); without it,
 * jobs run in this process (the embedded default).
 */
export async function startWorker({
  config,
  database,
  log,
  processors,
}: WorkerOptions): Promise<RunningWorker> {
  const chosen = processors ?? createProcessors({ db: database.db });
  const retry = { attempts: config.jobs.attempts, baseDelayMs: 1000 };
  let driver: JobDriver;
  let stopWorkers = async () => {};
  if (config.redisUrl) {
    // Loaded only when used: BullMQ is the largest import, and embedded mode never needs it.
    const { BullmqDriver, startBullmqWorkers } = await import('@atrium/jobs/bullmq');
    const connection = { redisUrl: config.redisUrl, prefix: config.queuePrefix };
    driver = new BullmqDriver({ ...connection, retry });
    const workers = startBullmqWorkers({
      ...connection,
      processors: chosen,
      concurrency: config.jobs.concurrency,
      log,
    });
    stopWorkers = () => workers.close();
  } else {
    const recovered = await InProcessDriver.recoverInterrupted(database.db);
    if (recovered) log.warn({ recovered }, 'requeued jobs an earlier process left unfinished');
    driver = new InProcessDriver({
      db: database.db,
      processors: chosen,
      log,
      retry,
      concurrency: config.jobs.concurrency,
    });
  }
  const relay = new OutboxRelay({ database, driver, log, pollMs: config.jobs.outboxPollMs });
  await relay.start();
  log.info({ driver: driver.name }, 'worker started');
  return {
    driver,
    relay,
    async close() {
      await relay.stop();
      await stopWorkers();
      await driver.close();
    },
  };
}
