import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '@atrium/config';
import { TEST_REDIS_URL } from '@atrium/config/testing';
import type { JobPayload, QueueName } from '@atrium/contracts';
import { createDatabase, type DatabaseHandle, outbox } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { createTestDatabase } from '@atrium/db/testing';
import { smtpTransport } from '@atrium/integrations/mail';
import { startSmtpSink } from '@atrium/integrations/testing';
import { enqueue, type JobContext, type Logger } from '@atrium/jobs';
import { testPrefix } from '@atrium/jobs/testing';
import { localStorage } from '@atrium/storage';
import type { UploadDeps } from '../src/processors/uploads/index.js';

export { TEST_REDIS_URL };
export const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
export const unique = () => randomBytes(4).toString('hex');

/** A fresh migrated database for one test file. */
export async function testDatabase(): Promise<DatabaseHandle & { dispose(): Promise<void> }> {
  const test = await createTestDatabase();
  const handle = await createDatabase({ url: test.url, poolMax: 4 });
  return {
    ...handle,
    async dispose() {
      await handle.close();
      await test.drop();
    },
  };
}

/** Config for a worker on the shared Redis under a prefix of its own, removed after the file. */
export function workerConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: testPrefix(),
    OUTBOX_POLL_MS: '50',
    PUBLIC_APP_URL: 'https://app.example.com',
    ...env,
  });
}

/** Enqueues one job in its own transaction; returns the outbox row id (the BullMQ job id). */
export async function enqueueOne<Q extends QueueName>(
  database: DatabaseHandle,
  queue: Q,
  payload: JobPayload<Q>,
  idempotencyKey = unique(),
): Promise<string> {
  await database.db.transaction((tx) => enqueue(tx, queue, payload, { idempotencyKey }));
  const [row] = await database.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(eq(outbox.idempotencyKey, idempotencyKey));
  return row!.id;
}

/** The context a driver would give a processor, for calling one directly as a redelivery would. */
export const context = (queue: QueueName, idempotencyKey: string): JobContext => ({
  queue,
  jobId: unique(),
  idempotencyKey,
  attempt: 1,
  log,
});

/**
 * The uploads pipeline's dependencies for a test: a local store in a fresh temporary directory,
 * the scan skipped, no metrics, unless `overrides` says otherwise.
 */
export function testUploadDeps(overrides: Partial<UploadDeps> = {}): UploadDeps {
  return {
    storage: localStorage({
      root: mkdtempSync(join(tmpdir(), 'atrium-worker-uploads-')),
      signingSecret: randomBytes(32),
      uploadUrl: 'http://127.0.0.1/upload',
    }),
    scan: { mode: 'skip', reason: 'no scanner configured' },
    analyse: async () => {
      throw new Error('no analyser in this test');
    },
    metrics: { outcome() {}, stage() {} },
    retentionDays: 30,
    now: () => new Date(),
    scannerRetry: { baseMs: 20, maxMs: 100 },
    lastAttempt: () => false,
    ...overrides,
  };
}

/**
 * An SMTP sink and one pooled transport to it for a test file. `close` ends the transport first:
 * the sink's close waits for its clients, and an idle pooled connection only leaves on a timeout.
 */
export async function smtpFixture() {
  const sink = await startSmtpSink();
  const mail = smtpTransport(sink.url, 'Atrium <no-reply@example.com>');
  return {
    sink,
    mail,
    async close() {
      await mail.close();
      await sink.close();
    },
  };
}
