import { type JobPayload, JobPayloads, type QueueName } from '@atrium/contracts';
import { type Database, outbox } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import Value from 'typebox/value';

export const OUTBOX_CHANNEL = 'atrium_outbox';

export interface EnqueueOptions {
  /** The same key twice is one job: retried requests and replays do not duplicate work. */
  idempotencyKey: string;
  delayMs?: number;
}

/**
 * Writes a job into the outbox inside the caller's transaction: it exists only if the business
 * change commits. NOTIFY is transactional too, so the relay is woken exactly on commit.
 */
export async function enqueue<Q extends QueueName>(
  tx: Database,
  queue: Q,
  payload: JobPayload<Q>,
  options: EnqueueOptions,
): Promise<void> {
  const schema = JobPayloads[queue];
  if (!Value.Check(schema, payload)) {
    const [error] = Value.Errors(schema, payload);
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
    .onConflictDoNothing({ target: outbox.idempotencyKey });
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
}
