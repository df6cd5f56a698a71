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
  const leaseUntil = sql`now() + make_interval(secs => ${leaseMs / 1000})`;
  const claimed = await db
    .insert(deliveries)
    .values({ kind, key, leaseUntil })
    .onConflictDoUpdate({
      target: [deliveries.kind, deliveries.key],
      set: { leaseUntil, attempts: sql`${deliveries.attempts} + 1` },
      setWhere: and(eq(deliveries.status, 'pending'), lt(deliveries.leaseUntil, sql`now()`)),
    })
    .returning({ kind: deliveries.kind });
  const where = and(eq(deliveries.kind, kind), eq(deliveries.key, key));
  if (claimed.length === 0) {
    const [row] = await db
      .select({ status: deliveries.status, leaseUntil: deliveries.leaseUntil })
      .from(deliveries)
      .where(where);
    if (row?.status === 'done') return false;
    const leftMs = Math.max(0, (row?.leaseUntil.getTime() ?? 0) - Date.now());
    throw new EffectInProgress(`${kind} ${key} is being delivered by another worker`, leftMs + 100);
  }
  try {
    await effect();
  } catch (error) {
    // Free the key at once so the retry need not wait for the lease.
    await db.update(deliveries).set({ leaseUntil: sql`now()` }).where(where);
    throw error;
  }
  await db.update(deliveries).set({ status: 'done', doneAt: sql`now()` }).where(where);
  return true;
}
