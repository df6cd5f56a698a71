import { type Database, deliveries } from '@atrium/db';
import { and, eq, lt, sql } from '@atrium/db/orm';
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
 * before the effect (insert, or take over an expired lease), marked done after it, released when
 * it throws. Returns false when the effect was already done. The one window left open is a crash
 * between the provider accepting and the `done` write: after the lease the effect runs again —
 * chosen over blocking a delivery forever, and narrowed by a short lease on a fast effect.
 */
export async function once(
  db: Database,
  { kind, key, leaseMs }: EffectKey,
  effect: () => Promise<void>,
): Promise<boolean> {
  const statements = preparedFor(db);
  const claimed = await statements.claim.execute({ kind, key, leaseSecs: leaseMs / 1000 });
  if (claimed.length === 0) {
    const [row] = await statements.read.execute({ kind, key });
    if (row?.status === 'done') return false;
    const leftMs = Math.max(0, (row?.leaseUntil.getTime() ?? 0) - Date.now());
    throw new EffectInProgress(`${kind} ${key} is being delivered by another worker`, leftMs + 100);
  }
  try {
    await effect();
  } catch (error) {
    // Free the key at once so the retry need not wait for the lease.
    await statements.release.execute({ kind, key });
    throw error;
  }
  await statements.done.execute({ kind, key });
  return true;
}

/**
 * Every job runs the claim and the `done` write, so they are prepared once per database: an
 * unprepared statement with parameters costs postgres.js two round trips, and Drizzle rebuilds
 * its SQL on every call.
 */
const prepared = new WeakMap<Database, ReturnType<typeof prepare>>();

function preparedFor(db: Database) {
  const found = prepared.get(db);
  if (found) return found;
  const statements = prepare(db);
  prepared.set(db, statements);
  return statements;
}

function prepare(db: Database) {
  const kind = sql.placeholder('kind');
  const key = sql.placeholder('key');
  const where = and(eq(deliveries.kind, kind), eq(deliveries.key, key));
  const leaseUntil = sql`now() + make_interval(secs => ${sql.placeholder('leaseSecs')})`;
  return {
    // Insert the key, or take over a pending one whose lease has passed.
    claim: db
      .insert(deliveries)
      .values({ kind, key, leaseUntil })
      .onConflictDoUpdate({
        target: [deliveries.kind, deliveries.key],
        set: { leaseUntil, attempts: sql`${deliveries.attempts} + 1` },
        setWhere: and(eq(deliveries.status, 'pending'), lt(deliveries.leaseUntil, sql`now()`)),
      })
      .returning({ kind: deliveries.kind })
      .prepare('deliveries_claim'),
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
    done: db
      .update(deliveries)
      .set({ status: 'done', doneAt: sql`now()` })
      .where(where)
      .prepare('deliveries_done'),
  };
}
