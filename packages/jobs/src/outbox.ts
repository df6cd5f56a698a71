import type { JobPayload, QueueName } from '@atrium/contracts';
import { type Database, notifyAfterCommit, outbox } from '@atrium/db';
import { payloadValidator } from './payloads.js';

export const OUTBOX_CHANNEL = 'atrium_outbox';

export interface EnqueueOptions {
  /** The same key twice is one job: retried requests and replays do not duplicate work. */
  idempotencyKey: string;
  delayMs?: number;
}

/**
 * Writes a job into the outbox inside the caller's transaction: it exists only if the business
 * change commits. The relay is woken by a NOTIFY sent after the commit (never on rollback), not
 * from inside the transaction, where it would serialize every committing producer.
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
  await tx
    .insert(outbox)
    .values({
      queue,
      payload,
      idempotencyKey: options.idempotencyKey,
      availableAt: options.delayMs ? new Date(Date.now() + options.delayMs) : undefined,
    })
    .onConflictDoNothing({ target: outbox.idempotencyKey })
    // Prepared: an unprepared statement with parameters costs postgres.js two round trips.
    .prepare('enqueue')
    .execute();
  await notifyAfterCommit(tx, OUTBOX_CHANNEL);
}
