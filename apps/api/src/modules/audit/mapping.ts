import type { AuditEntry } from '@atrium/contracts';
import type { AuditEventRow } from '@atrium/db';

export const toAuditEntry = (row: AuditEventRow): AuditEntry => ({
  id: row.id,
  seq: row.seq,
  at: row.at.toISOString(),
  actorId: row.actorId,
  actorIp: row.actorIp,
  action: row.action,
  targetType: row.targetType,
  targetId: row.targetId,
  orgId: row.orgId,
  data: row.data,
  prevHash: row.prevHash,
  hash: row.hash,
});
