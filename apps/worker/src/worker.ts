import { auditSigningKey, type Config } from '@atrium/config';
import type { DatabaseHandle } from '@atrium/db';
import { bumpContentGeneration } from '@atrium/integrations/cms';
import type { CrmClient } from '@atrium/integrations/crm';
import type { MailTransport } from '@atrium/integrations/mail';
import {
  InProcessDriver,
  type JobDriver,
  type JobObserver,
  jobDurationHistogram,
  type Logger,
  OutboxRelay,
  type Processors,
  type RepeatingJob,
  type RetryPolicy,
  settingByQueue,
  startRepeatingTimers,
} from '@atrium/jobs';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { crmFromConfig, mailFromConfig } from './integrations.js';
import { createProcessors } from './processors/index.js';
import type { UploadDeps } from './processors/uploads/index.js';
import { QUEUES, repeatingJobsFor } from './queues.js';
import { uploadDeps } from './uploads.js';

export interface WorkerOptions {
  config: Config;
  database: DatabaseHandle;
  log: Logger;
  /** Replaces the processors (tests count what runs). */
  processors?: Processors;
  /** Replace the transports chosen from config (tests, benchmarks). */
  mail?: MailTransport;
  crm?: CrmClient;
  /** Where job duration histograms go: the API's registry in the all-in-one process. */
  metrics?: Registry;
  /** First retry delay; 1 s unless a test wants its retries fast. */
  retryBaseDelayMs?: number;
  /** Replaces the queues' repeating jobs (a test runs a task every few hundred ms). */
  repeating?: RepeatingJob[];
  /** Replace parts of the uploads pipeline (storage, scanner, clock) chosen from config. */
  uploads?: Partial<UploadDeps>;
}

export interface RunningWorker {
  driver: JobDriver;
  relay: OutboxRelay;
  /** Stops taking work and waits for the jobs in flight. */
  close(): Promise<void>;
}

interface Runner {
  driver: JobDriver;
  stop(): Promise<void>;
}

/**
 * The worker: an outbox relay plus the processors. With REDIS_URL the relay feeds BullMQ and one
 * BullMQ worker per queue runs the jobs (any number of worker processes may run); without it,
 * jobs run in this process (the embedded default).
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { config, database, log } = options;
  const mail = options.mail ?? mailFromConfig(config, log);
  const crm = options.crm ?? crmFromConfig(config, log);
  // With Redis the API instances' content cache generation lives there; embedded, in this process.
  // A sync's bump waits for Redis to come back rather than fail: the pages have committed, and a
  // retried job would find nothing left to change (so nothing to invalidate).
  const contentRedis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: null })
    : undefined;
  contentRedis?.on('error', (err) => log.warn({ err }, 'content cache: Redis unavailable'));
  const retry: RetryPolicy = {
    attempts: config.jobs.attempts,
    baseDelayMs: options.retryBaseDelayMs ?? 1000,
    attemptsByQueue: settingByQueue(QUEUES, 'attempts', config.jobs.queueAttempts),
  };
  const uploads = await uploadDeps(options, retry);
  const processors =
    options.processors ??
    createProcessors({
      db: database.db,
      mail,
      crm,
      publicAppUrl: config.publicAppUrl,
      uploads,
      contentful: config.content.contentful,
      contentChanged: () => bumpContentGeneration(contentRedis, config.queuePrefix),
      audit: { retentionDays: config.audit.retentionDays, key: auditSigningKey(config) },
    });
  const observe = options.metrics && jobDurationHistogram(options.metrics);
  const runner = config.redisUrl
    ? await startBullmq(options, processors, retry, observe)
    : await startInProcess(options, processors, retry, observe);
  const relay = new OutboxRelay({
    database,
    driver: runner.driver,
    log,
    pollMs: config.jobs.outboxPollMs,
  });
  await relay.start();
  log.info({ driver: runner.driver.name, mail: mail.name, crm: crm.name }, 'worker started');
  return {
    driver: runner.driver,
    relay,
    async close() {
      await relay.stop();
      await runner.stop();
      await runner.driver.close();
      await mail.close();
      // The S3 driver holds sockets; a storage passed in belongs to the caller.
      if (!options.uploads?.storage) (uploads.storage as { close?(): void }).close?.();
      contentRedis?.disconnect();
    },
  };
}

async function startBullmq(
  { config, log, repeating }: WorkerOptions,
  processors: Processors,
  retry: RetryPolicy,
  observe: JobObserver | undefined,
): Promise<Runner> {
  const redisUrl = config.redisUrl!;
  // Loaded only when used: BullMQ is the largest import, and embedded mode never needs it.
  const bullmq = await import('@atrium/jobs/bullmq');
  await bullmq.checkEvictionPolicy(redisUrl, log);
  const connection = { redisUrl, prefix: config.queuePrefix };
  const driver = new bullmq.BullmqDriver({ ...connection, retry });
  await bullmq.upsertRepeatingJobs(
    (name) => driver.queue(name),
    repeating ?? repeatingJobsFor(config),
  );
  const workers = bullmq.startBullmqWorkers({
    ...connection,
    processors,
    concurrency: config.jobs.concurrency,
    concurrencyByQueue: settingByQueue(QUEUES, 'concurrency', config.jobs.queueConcurrency),
    log,
    observe,
  });
  return { driver, stop: () => workers.close() };
}

async function startInProcess(
  { config, database, log, repeating }: WorkerOptions,
  processors: Processors,
  retry: RetryPolicy,
  observe: JobObserver | undefined,
): Promise<Runner> {
  const recovered = await InProcessDriver.recoverInterrupted(database.db);
  if (recovered) log.warn({ recovered }, 'requeued jobs an earlier process left unfinished');
  const driver = new InProcessDriver({
    db: database.db,
    processors,
    log,
    retry,
    concurrency: config.jobs.concurrency,
    observe,
  });
  const stopTimers = startRepeatingTimers(database, log, repeating ?? repeatingJobsFor(config));
  return { driver, stop: async () => stopTimers() };
}
