import { createDatabase, outbox } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BullmqDriver, startBullmqWorkers } from '../src/drivers/bullmq.js';
import { enqueue, OutboxRelay } from '../src/index.js';
import {
  ownRedis,
  recordingProcessors,
  silentLog,
  TEST_REDIS_URL,
  testDatabase,
  uniquePrefix,
} from './support.js';

const retry = { attempts: 3, baseDelayMs: 50 };
let database: Awaited<ReturnType<typeof testDatabase>>;

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => {
  await database.dispose();
});

/** A relay and workers on BullMQ, all with a prefix of their own. */
async function bullmqPipeline(redisUrl = TEST_REDIS_URL, failTimes = 0, pollMs = 100) {
  const prefix = uniquePrefix();
  const { processors, emails } = recordingProcessors(failTimes);
  const driver = new BullmqDriver({ redisUrl, prefix, retry });
  const workers = startBullmqWorkers({
    redisUrl,
    prefix,
    processors,
    concurrency: 4,
    log: silentLog,
  });
  const relay = new OutboxRelay({ database, driver, log: silentLog, pollMs });
  await relay.start();
  return {
    emails,
    driver,
    relay,
    async stop() {
      await relay.stop();
      await workers.close();
      await driver.close();
    },
  };
}

const email = (to: string) => ({
  to,
  template: 'email-verification' as const,
  data: { name: 'Ada' },
});

describe('the outbox on BullMQ', () => {
  it('delivers a committed job exactly once', async () => {
    const pipeline = await bullmqPipeline();
    try {
      await database.db.transaction(async (tx) => {
        await enqueue(tx, 'email', email('once@example.com'), { idempotencyKey: 'once-1' });
      });
      await vi.waitFor(() => expect(pipeline.emails).toHaveLength(1), { timeout: 10_000 });
      await pipeline.relay.wake();
      await new Promise((r) => setTimeout(r, 300));
      expect(pipeline.emails).toHaveLength(1);
      expect(pipeline.emails[0]!.payload.to).toBe('once@example.com');
      expect(pipeline.emails[0]!.ctx.idempotencyKey).toBe('once-1');
      const [row] = await database.db
        .select()
        .from(outbox)
        .where(eq(outbox.idempotencyKey, 'once-1'));
      expect(row!.status).toBe('dispatched');
    } finally {
      await pipeline.stop();
    }
  });

  it('wakes a relay on another connection after every commit, without its poll', async () => {
    // An hour between polls: within the test, only the wake-ups sent after commit move the rows.
    const pipeline = await bullmqPipeline(TEST_REDIS_URL, 0, 3_600_000);
    const producer = await createDatabase({ url: database.url, poolMax: 10 });
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          producer.db.transaction((tx) =>
            enqueue(tx, 'email', email(`wake${i}@example.com`), { idempotencyKey: `wake-${i}` }),
          ),
        ),
      );
      await vi.waitFor(() => expect(pipeline.emails).toHaveLength(50), { timeout: 10_000 });
    } finally {
      await pipeline.stop();
      await producer.close();
    }
  });

  it('never delivers a job whose transaction rolled back', async () => {
    const pipeline = await bullmqPipeline();
    try {
      await expect(
        database.db.transaction(async (tx) => {
          await enqueue(tx, 'email', email('never@example.com'), { idempotencyKey: 'never-1' });
          throw new Error('business change failed');
        }),
      ).rejects.toThrow('business change failed');
      await database.db.transaction(async (tx) => {
        await enqueue(tx, 'email', email('after@example.com'), { idempotencyKey: 'after-1' });
      });
      await vi.waitFor(() => expect(pipeline.emails).toHaveLength(1), { timeout: 10_000 });
      expect(pipeline.emails.map((e) => e.payload.to)).toEqual(['after@example.com']);
      expect(await database.db.$count(outbox, eq(outbox.idempotencyKey, 'never-1'))).toBe(0);
    } finally {
      await pipeline.stop();
    }
  });

  it('makes one job of two enqueues with the same idempotency key', async () => {
    const pipeline = await bullmqPipeline();
    try {
      for (let i = 0; i < 2; i++) {
        await database.db.transaction((tx) =>
          enqueue(tx, 'email', email('dup@example.com'), { idempotencyKey: 'dup-1' }),
        );
      }
      await vi.waitFor(() => expect(pipeline.emails).toHaveLength(1), { timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 300));
      expect(pipeline.emails).toHaveLength(1);
    } finally {
      await pipeline.stop();
    }
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const pipeline = await bullmqPipeline(TEST_REDIS_URL, 2);
    try {
      await database.db.transaction((tx) =>
        enqueue(tx, 'email', email('retry@example.com'), { idempotencyKey: 'retry-1' }),
      );
      await vi.waitFor(() => expect(pipeline.emails).toHaveLength(1), { timeout: 10_000 });
      expect(pipeline.emails[0]!.ctx.attempt).toBe(3);
    } finally {
      await pipeline.stop();
    }
  });

  it('loses nothing written while Redis is down and delivers it when Redis returns', async () => {
    const redis = await ownRedis();
    const pipeline = await bullmqPipeline(redis.url);
    try {
      await redis.stop();
      for (let i = 0; i < 5; i++) {
        await database.db.transaction((tx) =>
          enqueue(tx, 'email', email(`down${i}@example.com`), { idempotencyKey: `down-${i}` }),
        );
      }
      await pipeline.relay.wake();
      const pending = await database.db.$count(outbox, eq(outbox.status, 'pending'));
      expect(pending).toBe(5);
      expect(pipeline.emails).toHaveLength(0);

      await redis.start();
      await vi.waitFor(() => expect(pipeline.emails).toHaveLength(5), { timeout: 20_000 });
      expect(new Set(pipeline.emails.map((e) => e.payload.to)).size).toBe(5);
    } finally {
      await pipeline.stop();
      await redis.stop();
    }
  });

  it('refuses a payload that does not match its contract, writing nothing', async () => {
    await expect(
      database.db.transaction((tx) =>
        enqueue(
          tx,
          'email',
          { to: 'not-an-email', template: 'password-reset', data: {} },
          { idempotencyKey: 'bad-1' },
        ),
      ),
    ).rejects.toThrow(/invalid email job payload/);
    expect(await database.db.$count(outbox, eq(outbox.idempotencyKey, 'bad-1'))).toBe(0);
  });
});
