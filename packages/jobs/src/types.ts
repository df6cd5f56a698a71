import type { JobPayload, QueueName } from '@atrium/contracts';
import type { OutboxRow } from '@atrium/db';

/** The slice of pino's logger that jobs use, so tests and drivers need not bring pino. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobContext {
  queue: QueueName;
  /** The outbox row id: also the BullMQ job id. */
  jobId: string;
  /** Stable across redeliveries: processors key their side effects on it. */
  idempotencyKey: string;
  /** 1 on the first try. */
  attempt: number;
  log: Logger;
}

/** A processor is a plain, idempotent async function; the driver is infrastructure. */
export type Processor<Q extends QueueName> = (
  payload: JobPayload<Q>,
  ctx: JobContext,
) => Promise<void>;
export type Processors = { [Q in QueueName]: Processor<Q> };

/** What the outbox relay hands jobs to: BullMQ in production, the in-process runner embedded. */
export interface JobDriver {
  readonly name: 'bullmq' | 'in-process';
  /** Takes claimed outbox rows; throws when it cannot accept them (they stay pending). */
  dispatch(rows: OutboxRow[]): Promise<void>;
  close(): Promise<void>;
}

export interface RetryPolicy {
  attempts: number;
  /** Delay before retry n is baseDelayMs · 2^(n-1). */
  baseDelayMs: number;
  /** Overrides of `attempts` by queue name (QUEUE_ATTEMPTS). */
  attemptsByQueue?: Record<string, number>;
}

export const attemptsFor = (policy: RetryPolicy, queue: string) =>
  policy.attemptsByQueue?.[queue] ?? policy.attempts;

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 1000 };

export const retryDelay = (policy: RetryPolicy, attemptsMade: number) =>
  policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1);
