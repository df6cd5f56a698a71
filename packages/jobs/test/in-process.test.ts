import { type DatabaseHandle, outbox } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { createTestPglite } from '@atrium/db/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { enqueue, InProcessDriver, OutboxRelay } from '../src/index.js';
import { recordingProcessors, silentLog } from './support.js';

const email = (to: string) => ({ to, template: 'email-verification' as const, data: {} });

describe('the in-process driver on PGlite (embedded mode)', () => {
  let database: DatabaseHandle;
  beforeEach(async () => {
    database = await createTestPglite();
  });
  afterEach(async () => {
    await database.close();
  });

  async function pipeline(failTimes: number, attempts = 3) {
    const { processors, emails } = recordingProcessors(failTimes);
    const driver = new InProcessDriver({
      db: database.db,
      processors,
      log: silentLog,
      retry: { attempts, baseDelayMs: 20 },
      concurrency: 2,
    });
    const relay = new OutboxRelay({ database, driver, log: silentLog, pollMs: 25 });
    await relay.start();
    return { emails, driver, relay };
  }

  it('runs the same processors as BullMQ and marks the row completed', async () => {
    const { emails, relay, driver } = await pipeline(0);
    await database.db.transaction((tx) =>
      enqueue(tx, 'email', email('embedded@example.com'), { idempotencyKey: 'e-1' }),
    );
    await vi.waitFor(() => expect(emails).toHaveLength(1));
    await driver.idle();
    const [row] = await database.db.select().from(outbox);
    expect(row).toMatchObject({ status: 'completed', attempts: 1, lastError: null });
    await relay.stop();
    await driver.close();
  });

  it('retries with backoff, then keeps the job failed with its error after the last attempt', async () => {
    const { emails, relay, driver } = await pipeline(10, 3);
    await database.db.transaction((tx) =>
      enqueue(tx, 'email', email('fails@example.com'), { idempotencyKey: 'f-1' }),
    );
    await vi.waitFor(
      async () => {
        const [row] = await database.db
          .select()
          .from(outbox)
          .where(eq(outbox.idempotencyKey, 'f-1'));
        expect(row).toMatchObject({
          status: 'failed',
          attempts: 3,
          lastError: 'smtp refused (try 3)',
        });
      },
      { timeout: 5000 },
    );
    expect(emails).toHaveLength(0);
    await relay.stop();
    await driver.close();
  });

  it('puts rows a killed process left dispatched back to pending', async () => {
    await database.db.insert(outbox).values({
      queue: 'email',
      payload: email('orphan@example.com'),
      idempotencyKey: 'o-1',
      status: 'dispatched',
      dispatchedAt: new Date(Date.now() - 10 * 60_000),
    });
    expect(await InProcessDriver.recoverInterrupted(database.db)).toBe(1);
    const { emails, relay, driver } = await pipeline(0);
    await vi.waitFor(() => expect(emails.map((e) => e.payload.to)).toEqual(['orphan@example.com']));
    await relay.stop();
    await driver.close();
  });
});
