import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditAction, AuditTarget, AuditVerification } from '@atrium/contracts';
import { asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { type Database, selectRows } from '../client.js';
import { auditEvents } from '../schema/index.js';
import type { TenantScope } from '../tenant.js';

export interface AuditEvent {
  action: AuditAction;
  targetType: AuditTarget;
  targetId?: string | null;
  actorId?: string | null;
  actorIp?: string | null;
  orgId?: string | null;
  /** What changed, never a secret (no tokens, hashes, passwords or codes). */
  data?: Record<string, unknown>;
}

/** Who did it, from the request: the audited service functions take this. */
export type AuditActor = Pick<AuditEvent, 'actorId' | 'actorIp'>;

/** The chain's first `prevHash`. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Appends one audit row; call it with the transaction that makes the change. The insert trigger
 * (migration 0016) numbers it, timestamps it and chains it; it waits for any other transaction
 * appending until that one ends, so append last, just before the transaction commits.
 */
export async function recordAudit(tx: Database, event: AuditEvent): Promise<void> {
  await tx.insert(auditEvents).values({
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    actorId: event.actorId ?? null,
    actorIp: event.actorIp ?? null,
    orgId: event.orgId ?? null,
    data: event.data ?? {},
  });
}

/** `recordAudit` for org-scoped code: the row's org is the scope's. */
export async function recordOrgAudit(
  scope: TenantScope,
  event: Omit<AuditEvent, 'orgId'>,
): Promise<void> {
  await scope.insert(auditEvents, {
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId ?? null,
    actorId: event.actorId ?? null,
    actorIp: event.actorIp ?? null,
    data: event.data ?? {},
  });
}

/** What a checkpoint signs: the first seq kept and the hash that row chains from. */
const checkpointMac = (key: Buffer, firstKeptSeq: number, anchorHash: string) =>
  createHmac('sha256', key)
    .update(`atrium audit checkpoint v1:${firstKeptSeq}:${anchorHash}`)
    .digest('hex');

export interface PruneAuditOptions {
  /** Rows older than this many days go; 0 keeps everything. */
  retentionDays: number;
  /** The app secret checkpoints are signed with (HMAC-SHA256). */
  key: Buffer;
  now?: Date;
}

/**
 * Audit retention, the only way rows leave the log. Under the chain's lock it appends a signed
 * checkpoint row naming the first seq kept and the hash that row chains from, then deletes every
 * row before it (the delete trigger lets exactly those through, in this transaction only). The
 * remaining chain still verifies: its first row is anchored by the checkpoint's signature.
 * Returns how many rows it removed.
 */
export async function pruneAudit(db: Database, options: PruneAuditOptions): Promise<number> {
  if (options.retentionDays <= 0) return 0;
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.retentionDays * 86_400_000);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
    const [first] = await tx
      .select({ seq: auditEvents.seq })
      .from(auditEvents)
      .orderBy(asc(auditEvents.seq))
      .limit(1);
    if (!first) return 0;
    const [kept] = await tx
      .select({ seq: auditEvents.seq, prevHash: auditEvents.prevHash })
      .from(auditEvents)
      .where(gte(auditEvents.at, cutoff))
      .orderBy(asc(auditEvents.seq))
      .limit(1);
    if (kept?.seq === first.seq) return 0;
    // Nothing recent enough: the checkpoint itself is the first row kept.
    const [last] = kept
      ? [undefined]
      : await tx
          .select({ seq: auditEvents.seq, hash: auditEvents.hash })
          .from(auditEvents)
          .orderBy(desc(auditEvents.seq))
          .limit(1);
    const firstKeptSeq = kept ? kept.seq : last!.seq + 1;
    const anchorHash = kept ? kept.prevHash : last!.hash;
    await recordAudit(tx, {
      action: 'audit.checkpoint',
      targetType: 'audit',
      data: {
        firstKeptSeq,
        anchorHash,
        removed: firstKeptSeq - first.seq,
        before: cutoff.toISOString(),
        signature: checkpointMac(options.key, firstKeptSeq, anchorHash),
      },
    });
    await tx.execute(
      sql`select set_config('atrium.audit_prune_below', ${String(firstKeptSeq)}, true)`,
    );
    const removed = await tx
      .delete(auditEvents)
      .where(lt(auditEvents.seq, firstKeptSeq))
      .returning({ seq: auditEvents.seq });
    return removed.length;
  });
}

/** The advisory lock key the insert trigger takes (migration 0016). */
export const AUDIT_CHAIN_LOCK = 4242170017;

const VERIFY_BATCH = 1000;

interface ChainRow extends Record<string, unknown> {
  id: string;
  seq: string | number;
  prev_hash: string;
  hash: string;
  recomputed: string;
}

/**
 * Walks the whole chain in seq order, in batches, recomputing each row's hash in the database
 * with the function the insert trigger uses. The first row must chain from the genesis hash or
 * from a checkpoint whose signature verifies with `key`; each next row must follow with no gap
 * in seq and chain from the hash before it. Answers ok, or the first broken link and why.
 */
export async function verifyAudit(db: Database, key: Buffer): Promise<AuditVerification> {
  let checked = 0;
  let previous: { seq: number; hash: string } | undefined;
  for (;;) {
    const rows = await selectRows<ChainRow>(
      db,
      sql`select id, seq, prev_hash, hash, audit_event_hash(prev_hash, e) as recomputed
          from audit_events e where seq > ${previous?.seq ?? -1}
          order by seq limit ${VERIFY_BATCH}`,
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      const broken = (reason: string) =>
        ({ ok: false, checked, broken: { id: row.id, seq, reason } }) as const;
      if (row.recomputed !== row.hash) {
        return broken('the row was changed after it was written (its hash does not match)');
      }
      if (!previous) {
        const anchored =
          seq === 1
            ? row.prev_hash === GENESIS_HASH
            : await anchoredAt(db, key, seq, row.prev_hash);
        if (!anchored) {
          return broken(
            'the chain starts here without a valid signed checkpoint (rows before it were removed)',
          );
        }
      } else if (seq !== previous.seq + 1) {
        return broken(`rows ${previous.seq + 1} to ${seq - 1} are missing`);
      } else if (row.prev_hash !== previous.hash) {
        return broken(
          'it does not chain from the row before it (that row was changed or replaced)',
        );
      }
      checked += 1;
      previous = { seq, hash: row.hash };
    }
    if (rows.length < VERIFY_BATCH) {
      return {
        ok: true,
        checked,
        lastSeq: previous?.seq ?? null,
        lastHash: previous?.hash ?? null,
      };
    }
  }
}

/** Whether a signed checkpoint says the chain may start at `seq`, chaining from `prevHash`. */
async function anchoredAt(db: Database, key: Buffer, seq: number, prevHash: string) {
  const checkpoints = await db
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(
      sql`${eq(auditEvents.action, 'audit.checkpoint')} and ${auditEvents.data}->>'firstKeptSeq' = ${String(seq)}`,
    );
  const expected = Buffer.from(checkpointMac(key, seq, prevHash), 'hex');
  return checkpoints.some(({ data }) => {
    const signature = Buffer.from(String(data.signature ?? ''), 'hex');
    return (
      data.anchorHash === prevHash &&
      signature.length === expected.length &&
      timingSafeEqual(signature, expected)
    );
  });
}
