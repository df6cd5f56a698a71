import { type Database, deliveries, type FinishedDeliveryStatus, perDatabase } from '@atrium/db';
import { and, eq, lt, sql } from '@atrium/db/orm';
import DataLoader from 'dataloader';
import { RetryLaterError } from './errors.js';

export interface EffectKey {
  /** What the effect is: `email`, `crm-upsert`… one job may have several. */
  kind: string;
  /** The job's idempotency key. */
  key: string;
  /** How long a started effect may run before another worker may take it over. */
  leaseMs: number;
}

/** Another worker holds the lease: the job comes back when it ends, without spending an attempt. */
export class EffectInProgress extends RetryLaterError {
  override name = 'EffectInProgress';
}

/**
 * Runs `effect` at most once per (kind, key) among deliveries that complete. The key is claimed
 * before the effect (insert, or take over an expired lease), marked finished after it with the
 * status the effect returns (`done` unless it says it did not happen: `logged`, `not_sent`),
 * released when it throws. Returns false when the effect was already finished. The one window left open is a crash
 * between the provider accepting and the `done` write: after the lease the effect runs again —
 * chosen over blocking a delivery forever, and narrowed by a short lease on a fast effect.
 *
 * `db` is a database handle's root `db`, never a transaction: claims and `done` writes of
 * concurrent jobs are batched into shared statements, each committing on its own.
 */
export async function once(
  db: Database,
  effectKey: EffectKey,
  // biome-ignore lint/suspicious/noConfusingVoidType: an effect that returns nothing happened (done)
  effect: () => Promise<FinishedDeliveryStatus | void>,
) {
  const statements = prepared(db);
  const { kind, key } = effectKey;
  if (!(await statements.claim.load(effectKey))) {
    const [row] = await statements.read.execute({ kind, key });
    if (row && row.status !== 'pending') return false;
    const leftMs = Math.max(0, (row?.leaseUntil.getTime() ?? 0) - Date.now());
    throw new EffectInProgress(`${kind} ${key} is being delivered by another worker`, leftMs + 100);
  }
  let status: FinishedDeliveryStatus;
  try {
    status = (await effect()) ?? 'done';
  } catch (error) {
    // Free the key at once so the retry need not wait for the lease.
    await statements.release.execute({ kind, key });
    throw error;
  }
  await statements.done.load({ ...effectKey, status });
  return true;
}

/**
 * Every job claims and marks done, so those two run as statements prepared once per database (an
 * unprepared statement with parameters costs postgres.js two round trips) and batched: while one
 * claim is on its way, the claims of other jobs wait and go together in the next; `done` writes
 * asked in the same tick go together. A lone job waits for nothing; under load one round trip and
 * one commit serve several jobs, and round trips are most of what a job costs here (each is a
 * socket write and a wake-up of a PostgreSQL backend).
 */
const prepared = perDatabase((db) => {
  const kind = sql.placeholder('kind');
  const key = sql.placeholder('key');
  const where = and(eq(deliveries.kind, kind), eq(deliveries.key, key));
  const kinds = sql`${sql.placeholder('kinds')}::text[]`;
  const keys = sql`${sql.placeholder('keys')}::text[]`;
  const claim = db
    .insert(deliveries)
    // Every column, in the table's order (Drizzle's insert … select names them all). The claim
    // commits without waiting for its WAL flush: only a PostgreSQL crash can lose it, and then
    // the effect it let run has no `done` either, whose commit (synchronous) would have flushed
    // the claim first. Either way the effect runs again, the window `once` already has.
    .select(
      sql`select kind, key, 'pending', now() + make_interval(secs => lease), 1, now(), null
          from unnest(${kinds}, ${keys}, ${sql.placeholder('leaseSecs')}::float8[]) as t(kind, key, lease),
            (select set_config('synchronous_commit', 'off', true)) as asynchronous_commit`,
    )
    // Or take over a pending key whose lease has passed.
    .onConflictDoUpdate({
      target: [deliveries.kind, deliveries.key],
      set: { leaseUntil: sql`excluded.lease_until`, attempts: sql`${deliveries.attempts} + 1` },
      setWhere: and(eq(deliveries.status, 'pending'), lt(deliveries.leaseUntil, sql`now()`)),
    })
    .returning({ kind: deliveries.kind, key: deliveries.key })
    .prepare('deliveries_claim');
  const done = db
    .update(deliveries)
    .set({ status: sql`${sql.placeholder('status')}`, doneAt: sql`now()` })
    .where(
      sql`(${deliveries.kind}, ${deliveries.key}) in (select * from unnest(${kinds}, ${keys}))`,
    )
    .prepare('deliveries_done');
  return {
    claim: batched<EffectKey, boolean>(async (effects) => {
      // One statement may not touch a row twice: a key asked twice in a batch is claimed once.
      const unique = [...new Map(effects.map((e) => [`${e.kind}\0${e.key}`, e])).values()];
      const claimed = await claim.execute({
        kinds: unique.map((e) => e.kind),
        keys: unique.map((e) => e.key),
        leaseSecs: unique.map((e) => e.leaseMs / 1000),
      });
      const won = new Set(claimed.map((row) => `${row.kind}\0${row.key}`));
      return effects.map((e) => won.delete(`${e.kind}\0${e.key}`));
    }),
    // `done` is never held back for a batch on its way: until it commits, a crash re-sends an
    // effect the provider already took (the window above). Only calls of the same tick share it.
    done: new DataLoader<Finished, void>(
      async (effects) => {
        // One statement per status; a process has one mail transport, so mostly just one.
        for (const status of new Set(effects.map((e) => e.status))) {
          const these = effects.filter((e) => e.status === status);
          await done.execute({
            status,
            kinds: these.map((e) => e.kind),
            keys: these.map((e) => e.key),
          });
        }
        return effects.map(() => undefined);
      },
      { cache: false, maxBatchSize: MAX_BATCH },
    ),
    read: db
      .select({ status: deliveries.status, leaseUntil: deliveries.leaseUntil })
      .from(deliveries)
      .where(where)
      .prepare('deliveries_read'),
    release: db
      .update(deliveries)
      .set({ leaseUntil: sql`now()` })
      .where(where)
      .prepare('deliveries_release'),
  };
});

const MAX_BATCH = 500;

type Finished = EffectKey & { status: FinishedDeliveryStatus };

/**
 * A DataLoader that sends a batch at once when none is on its way, and otherwise gathers calls
 * until the one on its way returns (DataLoader alone gathers only the calls of one tick).
 */
function batched<K, V>(run: (keys: readonly K[]) => Promise<V[]>) {
  let onItsWay = false;
  const waiting: (() => void)[] = [];
  const settle = () => {
    onItsWay = false;
    waiting.shift()?.();
  };
  return new DataLoader<K, V>(
    (keys) => {
      onItsWay = true;
      const sent = run(keys);
      sent.then(settle, settle);
      return sent;
    },
    {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (send) => {
        if (onItsWay) waiting.push(send);
        else process.nextTick(send);
      },
    },
  );
}
