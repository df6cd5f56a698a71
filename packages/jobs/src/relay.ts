import { type DatabaseHandle, outbox } from '@atrium/db';
import { and, asc, lte, sql } from '@atrium/db/orm';
import { OUTBOX_CHANNEL } from './outbox.js';
import type { JobDriver, Logger } from './types.js';

export interface RelayOptions {
  database: DatabaseHandle;
  driver: JobDriver;
  log: Logger;
  /**
   * Poll interval: the NOTIFY sent after each commit wakes the relay at once; polling catches
   * delayed and retried rows, and rows whose wake-up was lost.
   */
  pollMs: number;
  batchSize?: number;
  /**
   * Pause before another pass when wake-ups arrived during one: under a stream of commits each
   * NOTIFY would otherwise trigger a pass that moves one or two rows, and the relay spends itself
   * on tiny transactions. A lone job still goes out at once.
   */
  coalesceMs?: number;
}

/**
 * Moves committed outbox rows to the job driver. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * any number of relays (one per worker process) share the work without handing a row out twice.
 * If the driver refuses (Redis down), the transaction rolls back and the rows wait for the next tick.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: RelayOptions) {}

  async start(): Promise<void> {
    this.unlisten = await this.options.database.listen(OUTBOX_CHANNEL, () => this.wake());
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.wake();
  }

  /** Drains now; concurrent wake-ups fold into one extra pass. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.unlisten?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while ((await this.drainBatch()) === (this.options.batchSize ?? 100) && !this.stopped);
      } catch (error) {
        this.options.log.warn({ err: error }, 'outbox relay could not dispatch; will retry');
        return;
      }
      if (this.again)
        await new Promise((resolve) => setTimeout(resolve, this.options.coalesceMs ?? 10));
    } while (this.again && !this.stopped);
  }

  /**
   * Claims one batch and hands it to the driver; returns how many rows it moved. The claim marks
   * the rows `dispatched` in the same statement; the mark commits only once the driver accepted.
   */
  async drainBatch(): Promise<number> {
    const { database, driver, batchSize = 100 } = this.options;
    return database.db.transaction(async (tx) => {
      // 'pending' is a literal, not a parameter: the prepared statement's generic plan must
      // still match the partial index `outbox_pending_idx`. `= any(array(…))` runs the locking
      // subquery once and updates through the primary key, where `in (…)` may scan the table.
      const claimable = tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(sql`${outbox.status} = 'pending'`, lte(outbox.availableAt, sql`now()`)))
        .orderBy(asc(outbox.availableAt))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      const rows = await tx
        .update(outbox)
        .set({ status: 'dispatched', dispatchedAt: sql`now()` })
        .where(sql`${outbox.id} = any(array(${claimable}))`)
        .returning()
        .prepare('outbox_claim')
        .execute();
      if (rows.length > 0) await driver.dispatch(rows);
      return rows.length;
    });
  }
}
