import type { JobPayload, QueueName } from '@atrium/contracts';
import { type Database, notifyAfterCommit, outbox, perDatabase } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import { uuidv7 } from 'uuidv7';
import { payloadValidator } from './payloads.js';

export const OUTBOX_CHANNEL = 'atrium_outbox';

export interface EnqueueOptions {
  /** The same key twice is one job: retried requests and replays do not duplicate work. */
  idempotencyKey: string;
  delayMs?: number;
}

/** A job ready for the outbox row: its payload checked against the queue's schema, its id made. */
export interface OutboxJob {
  id: string;
  queue: QueueName;
  payload: unknown;
  idempotencyKey: string;
  delaySecs: number;
}

/** Throws a TypeError naming the field when the payload does not fit the queue's schema. */
export function outboxJob<Q extends QueueName>(
  queue: Q,
  payload: JobPayload<Q>,
  options: EnqueueOptions,
): OutboxJob {
  const validator = payloadValidator(queue);
  if (!validator.Check(payload)) {
    const [error] = validator.Errors(payload);
    throw new TypeError(
      `invalid ${queue} job payload at ${error?.instancePath}: ${error?.message}`,
    );
  }
  return {
    id: uuidv7(),
    queue,
    payload,
    idempotencyKey: options.idempotencyKey,
    delaySecs: (options.delayMs ?? 0) / 1000,
  };
}

/**
 * Writes a job into the outbox inside the caller's transaction, so it exists only if the business
 * change commits; on a handle's own `db` (a job with no business change) it commits alone. The
 * relay is woken by a NOTIFY sent after the commit (never on rollback), not from inside the
 * transaction, where it would serialize every committing producer.
 */
export async function enqueue<Q extends QueueName>(
  tx: Database,
  queue: Q,
  payload: JobPayload<Q>,
  options: EnqueueOptions,
): Promise<void> {
  await insertStatement(tx).execute(outboxParams(outboxJob(queue, payload, options)));
  await announceJobs(tx);
}

/**
 * Wakes the relay for jobs a statement of the caller's own wrote (see `outboxValues`), after it
 * committed; `enqueue` does this itself.
 */
export const announceJobs = (db: Database) => notifyAfterCommit(db, OUTBOX_CHANNEL);

/**
 * One outbox row's values as placeholders named `<prefix><field>`, for a prepared statement
 * that writes jobs beside its own change (a form submission writes its three in one statement);
 * `outboxParams` gives the matching parameters. A duplicate idempotency key is skipped.
 */
export function outboxValues(prefix = '') {
  const param = (name: keyof OutboxJob) => sql.placeholder(`${prefix}${name}`);
  // Every column with a default computed in JS is explicit: it would be frozen into the statement.
  return {
    id: param('id'),
    queue: param('queue'),
    payload: param('payload'),
    idempotencyKey: param('idempotencyKey'),
    availableAt: sql`now() + make_interval(secs => ${param('delaySecs')})`,
  };
}

export const outboxParams = (job: OutboxJob, prefix = '') =>
  Object.fromEntries(Object.entries(job).map(([name, value]) => [`${prefix}${name}`, value]));

/**
 * The outbox insert, prepared (an unprepared statement with parameters costs postgres.js two
 * round trips) once per `Database`. A transaction is a new `Database` each time; on a handle's
 * own `db` (a job with no business change) the one statement serves every call.
 */
const insertStatement = perDatabase((db) =>
  db
    .insert(outbox)
    .values(outboxValues())
    .onConflictDoNothing({ target: outbox.idempotencyKey })
    .prepare('enqueue'),
);
