import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '@atrium/config';
import { TEST_REDIS_URL } from '@atrium/config/testing';
import { createDatabase, type DatabaseHandle, outbox } from '@atrium/db';
import { inArray, sql } from '@atrium/db/orm';
import { formJobKey, uploadJobKey } from '@atrium/db/queries';
import { createTestDatabase } from '@atrium/db/testing';
import { enqueue, type Logger, type Processors } from '@atrium/jobs';
import { idleProcessors, testPrefix } from '@atrium/jobs/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorker } from '../src/index.js';
import { maintenance } from '../src/processors/maintenance.js';
import { testUploadDeps } from './support.js';

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let test: Awaited<ReturnType<typeof createTestDatabase>>;
let database: DatabaseHandle;
beforeAll(async () => {
  test = await createTestDatabase();
  database = await createDatabase({ url: test.url, poolMax: 4 });
});
afterAll(async () => {
  await database.close();
  await test.drop();
});

/** Processors whose email job takes `ms` and records when it started and finished. */
function slowProcessors(ms: number) {
  const events: string[] = [];
  const processors: Processors = {
    ...idleProcessors(),
    async email(payload) {
      events.push(`start ${payload.to}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      events.push(`done ${payload.to}`);
    },
  };
  return { processors, events };
}

const email = (to: string) => ({ to, template: 'email-verification' as const, data: {} });

describe.each([
  ['BullMQ', { REDIS_URL: TEST_REDIS_URL }],
  ['in-process', {}],
])('the worker on %s', (_name, env) => {
  it('runs enqueued jobs and finishes the one in flight when closed', async () => {
    const config = loadConfig({
      ...env,
      QUEUE_PREFIX: testPrefix(),
      OUTBOX_POLL_MS: '50',
    });
    const { processors, events } = slowProcessors(300);
    const worker = await startWorker({ config, database, log, processors });
    const to = `${randomBytes(4).toString('hex')}@example.com`;
    await database.db.transaction((tx) => enqueue(tx, 'email', email(to), { idempotencyKey: to }));
    await vi.waitFor(() => expect(events).toContain(`start ${to}`), { timeout: 10_000 });
    await worker.close();
    expect(events).toEqual([`start ${to}`, `done ${to}`]);
  });
});

describe('maintenance: prune-outbox', () => {
  it("removes delivered rows older than a week and keeps pending, failed and recent ones, and a lead's", async () => {
    const old = sql`now() - interval '8 days'`;
    // A lead's timeline shows these until the lead is erased.
    const leadJobs = [formJobKey(randomUUID(), 'confirmation'), uploadJobKey(randomUUID(), 'crm')];
    await database.db.insert(outbox).values([
      {
        queue: 'email',
        payload: {},
        idempotencyKey: 'old-done',
        status: 'completed',
        createdAt: old,
      },
      {
        queue: 'email',
        payload: {},
        idempotencyKey: 'old-sent',
        status: 'dispatched',
        createdAt: old,
      },
      {
        queue: 'email',
        payload: {},
        idempotencyKey: 'old-failed',
        status: 'failed',
        createdAt: old,
      },
      {
        queue: 'email',
        payload: {},
        idempotencyKey: 'old-pending',
        status: 'pending',
        createdAt: old,
      },
      { queue: 'email', payload: {}, idempotencyKey: 'new-done', status: 'completed' },
      ...leadJobs.map((idempotencyKey) => ({
        queue: 'email' as const,
        payload: {},
        idempotencyKey,
        status: 'completed' as const,
        createdAt: old,
      })),
    ]);
    await maintenance({ db: database.db, uploads: testUploadDeps() })(
      { task: 'prune-outbox' },
      {
        queue: 'maintenance',
        jobId: 'j',
        idempotencyKey: 'k',
        attempt: 1,
        log,
      },
    );
    const left = await database.db
      .select({ key: outbox.idempotencyKey })
      .from(outbox)
      .where(
        inArray(outbox.idempotencyKey, [
          'old-done',
          'old-sent',
          'old-failed',
          'old-pending',
          'new-done',
          ...leadJobs,
        ]),
      );
    expect(left.map((r) => r.key).sort()).toEqual(
      ['new-done', 'old-failed', 'old-pending', ...leadJobs].sort(),
    );
  });
});
