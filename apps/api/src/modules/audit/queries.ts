import type { AuditExportQuery, AuditQuery } from '@atrium/contracts';
import { type AuditEventRow, auditEvents, type Database, type TenantScope } from '@atrium/db';
import { and, asc, desc, eq, gt, gte, lt, type SQL } from '@atrium/db/orm';

export type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor'>;

/** The filters as SQL; `orgId` only for the admin log (an org's log is filtered by its scope). */
export function auditConditions(filters: AuditFilters): SQL | undefined {
  return and(
    filters.action ? eq(auditEvents.action, filters.action) : undefined,
    filters.targetType ? eq(auditEvents.targetType, filters.targetType) : undefined,
    filters.targetId ? eq(auditEvents.targetId, filters.targetId) : undefined,
    filters.actorId ? eq(auditEvents.actorId, filters.actorId) : undefined,
    filters.orgId ? eq(auditEvents.orgId, filters.orgId) : undefined,
    filters.from ? gte(auditEvents.at, new Date(filters.from)) : undefined,
    filters.to ? lt(auditEvents.at, new Date(filters.to)) : undefined,
  );
}

/** Newest first, keyset by seq: `limit + 1` rows below `before`. */
export const auditPage = (db: Database, where: SQL | undefined, limit: number, before?: number) =>
  db
    .select()
    .from(auditEvents)
    .where(and(where, before === undefined ? undefined : lt(auditEvents.seq, before)))
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1);

/** The same page of one org's rows, through its scope. */
export const orgAuditPage = (
  scope: TenantScope,
  where: SQL | undefined,
  limit: number,
  before?: number,
): PromiseLike<AuditEventRow[]> =>
  scope.select(auditEvents, columns, {
    where: and(where, before === undefined ? undefined : lt(auditEvents.seq, before)),
    orderBy: [desc(auditEvents.seq)],
    limit: limit + 1,
  });

const { id, at, actorId, actorIp, action, targetType, targetId, orgId, data, seq, prevHash, hash } =
  auditEvents;
const columns = {
  id,
  at,
  actorId,
  actorIp,
  action,
  targetType,
  targetId,
  orgId,
  data,
  seq,
  prevHash,
  hash,
};

/** Oldest first (chain order), `size` rows after `after`: the export's batches. */
export const auditBatch = (db: Database, filters: AuditExportQuery, size: number, after: number) =>
  db
    .select()
    .from(auditEvents)
    .where(and(auditConditions(filters), gt(auditEvents.seq, after)))
    .orderBy(asc(auditEvents.seq))
    .limit(size);
