import { type Database, type OutboxRow, outbox } from '@atrium/db';
import { and, eq, lt, sql } from '@atrium/db/orm';
import { isPermanent, RetryLaterError } from '../errors.js';
import type { JobObserver } from '../metrics.js';
import {
  attemptsFor,
  type JobDriver,
  type Logger,
  type Processors,
  type RetryPolicy,
  retryDelay,
} from '../types.js';
import { runProcessor } from './run-processor.js';

export interface InProcessOptions {
  db: Database;
  processors: Processors;
  log: Logger;
  retry: RetryPolicy;
  concurrency: number;
  observe?: JobObserver;
}

/**
 * Embedded mode's driver: runs the same processors in this process, with the outbox row as the
 * job's durable state. A failure puts the row back to `pending` after an exponential delay (the
 * relay picks it up again); after the last attempt it stays `failed` with its error.
 */
export class InProcessDriver implements JobDriver {
  readonly name = 'in-process';
  private readonly waiting: OutboxRow[] = [];
  private readonly active = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: InProcessOptions) {}

  /**
   * Rows a killed process left `dispatched` go back to `pending`. Only rows older than `leaseMs`
   * are taken, so a live runner sharing the database keeps its own.
   */
  static async recoverInterrupted(db: Database, leaseMs = 5 * 60_000): Promise<number> {
    const rows = await db
      .update(outbox)
      .set({ status: 'pending', availableAt: sql`now()` })
      .where(
        and(
          eq(outbox.status, 'dispatched'),
          lt(outbox.dispatchedAt, sql`now() - make_interval(secs => ${leaseMs / 1000})`),
        ),
      )
      .returning({ id: outbox.id });
    return rows.length;
  }

  async dispatch(rows: OutboxRow[]): Promise<void> {
    if (this.closed) throw new Error('in-process driver is closed');
    this.waiting.push(...rows);
    // Start after the relay's claiming transaction has committed its `dispatched` mark.
    setImmediate(() => this.pump());
  }

  /** Waits for running jobs; rows not yet started stay `dispatched` and are recovered later. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    await Promise.allSettled([...this.active]);
  }

  /** Resolves when nothing is waiting or running (tests and shutdown use it). */
  async idle(): Promise<void> {
    while (this.waiting.length > 0 || this.active.size > 0) {
      await Promise.allSettled([...this.active]);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.options.concurrency && this.waiting.length > 0) {
      const row = this.waiting.shift()!;
      const run = this.run(row).finally(() => {
        this.active.delete(run);
        this.pump();
      });
      this.active.add(run);
    }
  }

  private async run(row: OutboxRow): Promise<void> {
    const { db, processors, log, observe } = this.options;
    const attempt = row.attempts + 1;
    const ctx = { jobId: row.id, idempotencyKey: row.idempotencyKey, attempt, log };
    try {
      await runProcessor(processors, row.queue, row.payload, ctx, observe);
      await db
        .update(outbox)
        .set({ status: 'completed', attempts: attempt, finishedAt: sql`now()`, lastError: null })
        .where(eq(outbox.id, row.id));
      log.info({ jobId: row.id, queue: row.queue, attempt }, 'job completed');
    } catch (error) {
      await this.recordFailure(row, attempt, error);
    }
  }

  /** Back to `pending` after a delay, or `failed` after the last attempt or a permanent error. */
  private async recordFailure(row: OutboxRow, attempt: number, error: unknown): Promise<void> {
    const { db, log, retry } = this.options;
    const message = error instanceof Error ? error.message : String(error);
    const later = error instanceof RetryLaterError;
    const final = !later && (isPermanent(error) || attempt >= attemptsFor(retry, row.queue));
    // A postponed job keeps its attempt count: it did not fail.
    const delayMs = later ? error.retryInMs : retryDelay(retry, attempt);
    await db
      .update(outbox)
      .set(
        final
          ? { status: 'failed', attempts: attempt, lastError: message, finishedAt: sql`now()` }
          : {
              status: 'pending',
              attempts: later ? row.attempts : attempt,
              lastError: message,
              availableAt: new Date(Date.now() + delayMs),
            },
      )
      .where(eq(outbox.id, row.id))
      .catch((err: unknown) => log.error({ err, jobId: row.id }, 'could not record job failure'));
    log[final ? 'error' : 'warn'](
      { jobId: row.id, queue: row.queue, attempt, err: error },
      final ? 'job failed after its last attempt' : `job failed; retrying in ${delayMs} ms`,
    );
  }
}
