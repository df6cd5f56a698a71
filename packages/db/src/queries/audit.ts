import type { AuditAction, AuditTarget } from '@atrium/contracts';
import type { Database } from '../client.js';
import { auditEvents } from '../schema/index.js';

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

/** Appends one audit row; call it with the transaction that makes the change. */
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
