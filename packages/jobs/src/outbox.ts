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
  const validator = payloadValidator(queue);
  if (!validator.Check(payload)) {
    const [error] = validator.Errors(payload);
    throw new TypeError(
      `invalid ${queue} job payload at ${error?.instancePath}: ${error?.message}`,
    );
  }
  await insertStatement(tx).execute({
    id: uuidv7(),
    queue,
    payload,
    idempotencyKey: options.idempotencyKey,
    delaySecs: (options.delayMs ?? 0) / 1000,
  });
  await notifyAfterCommit(tx, OUTBOX_CHANNEL);
}

/**
 * The outbox insert, prepared (an unprepared statement with parameters costs postgres.js two
 * round trips) once per `Database`. A transaction is a new `Database` each time; on a handle's
 * own `db` (a job with no business change) the one statement serves every call.
 */
const insertStatement = perDatabase((db) => {
  const param = (name: string) => sql.placeholder(name);
  return (
    db
      .insert(outbox)
      // Every column with a default computed in JS is explicit: it would be frozen into the statement.
      .values({
        id: param('id'),
        queue: param('queue'),
        payload: param('payload'),
        idempotencyKey: param('idempotencyKey'),
        availableAt: sql`now() + make_interval(secs => ${param('delaySecs')})`,
      })
      .onConflictDoNothing({ target: outbox.idempotencyKey })
      .prepare('enqueue')
  );
});
