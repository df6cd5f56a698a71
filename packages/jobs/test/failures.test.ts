import { type DatabaseHandle, deliveries, outbox } from '@atrium/db';
import { eq, sql } from '@atrium/db/orm';
import { createTestPglite } from '@atrium/db/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  EffectInProgress,
  enqueue,
  InProcessDriver,
  OutboxRelay,
  once,
  PermanentJobError,
  type Processors,
  RetryLaterError,
} from '../src/index.js';
import { idleProcessors } from '../src/testing.js';
import { silentLog } from './support.js';

let database: DatabaseHandle;
beforeEach(async () => {
  database = await createTestPglite();
});
afterEach(() => database.close());

describe('once()', () => {
  const effect = { kind: 'email', key: 'k1', leaseMs: 60_000 };

  it('runs the effect the first time and reports later calls as already done', async () => {
    const run = vi.fn(async () => {});
    expect(await once(database.db, effect, run)).toBe(true);
    expect(await once(database.db, effect, run)).toBe(false);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('refuses an effect another worker holds, with the time its lease has left', async () => {
    await database.db.insert(deliveries).values({
      kind: 'email',
      key: 'k1',
      leaseUntil: sql`now() + interval '30 seconds'`,
    });
    const error = await once(database.db, effect, async () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EffectInProgress);
    expect((error as EffectInProgress).retryInMs).toBeGreaterThan(20_000);
  });

  it('takes over an effect whose worker died, once its lease has passed', async () => {
    await database.db.insert(deliveries).values({
      kind: 'email',
      key: 'k1',
      leaseUntil: sql`now() - interval '1 second'`,
    });
    expect(await once(database.db, effect, async () => {})).toBe(true);
    const [row] = await database.db.select().from(deliveries);
    expect(row).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('runs each of many concurrent effects once, a key asked twice at once included', async () => {
    const runs = new Map<string, number>();
    const keys = Array.from({ length: 30 }, (_, i) => `k${i % 15}`);
    const results = await Promise.allSettled(
      keys.map((key) =>
        once(database.db, { ...effect, key }, async () => {
          runs.set(key, (runs.get(key) ?? 0) + 1);
        }),
      ),
    );
    expect([...runs.values()]).toEqual(Array(15).fill(1));
    const ran = results.filter((r) => r.status === 'fulfilled' && r.value === true);
    expect(ran).toHaveLength(15);
    // The other call for each key saw it done, or held by the first and so postponed.
    for (const result of results.filter((r) => !ran.includes(r))) {
      if (result.status === 'fulfilled') expect(result.value).toBe(false);
      else expect(result.reason).toBeInstanceOf(EffectInProgress);
    }
    const done = await database.db.select().from(deliveries).where(eq(deliveries.status, 'done'));
    expect(done).toHaveLength(15);
  });

  it('frees the key when the effect throws, so the retry runs it at once', async () => {
    await expect(
      once(database.db, effect, async () => {
        throw new Error('smtp down');
      }),
    ).rejects.toThrow('smtp down');
    const run = vi.fn(async () => {});
    expect(await once(database.db, effect, run)).toBe(true);
    expect(run).toHaveBeenCalledTimes(1);
  });
});

describe('the in-process driver with permanent and postponing errors', () => {
  async function runOne(fail: () => Error) {
    let calls = 0;
    const processors: Processors = {
      ...idleProcessors(),
      async email() {
        calls++;
        if (calls === 1) throw fail();
      },
    };
    const retry = { attempts: 5, baseDelayMs: 20 };
    const driver = new InProcessDriver({
      db: database.db,
      processors,
      log: silentLog,
      retry,
      concurrency: 1,
    });
    const relay = new OutboxRelay({ database, driver, log: silentLog, pollMs: 20 });
    await relay.start();
    const payload = { to: 'a@example.com', template: 'password-reset' as const, data: {} };
    await database.db.transaction((tx) => enqueue(tx, 'email', payload, { idempotencyKey: 'j' }));
    const row = await vi.waitFor(
      async () => {
        const [found] = await database.db
          .select()
          .from(outbox)
          .where(eq(outbox.idempotencyKey, 'j'));
        expect(['completed', 'failed']).toContain(found?.status);
        return found!;
      },
      { timeout: 5000, interval: 20 },
    );
    await relay.stop();
    await driver.close();
    return { row, calls };
  }

  it('fails a PermanentJobError at once, keeping its error', async () => {
    const { row, calls } = await runOne(() => new PermanentJobError('rejected by the provider'));
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'rejected by the provider',
    });
    expect(calls).toBe(1);
  });

  it('runs a postponed job again without spending an attempt', async () => {
    const { row, calls } = await runOne(() => new RetryLaterError('lease held', 30));
    expect(row).toMatchObject({ status: 'completed', attempts: 1 });
    expect(calls).toBe(2);
  });
});
