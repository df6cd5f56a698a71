import { PassThrough, pipeline, Readable } from 'node:stream';
import type { AuditExportQuery, AuditQuery, OrgAuditQuery } from '@atrium/contracts';
import type { Database, TenantScope } from '@atrium/db';
import { decodeCursor, encodeCursor, toPage } from '../../pagination.js';
import { toAuditEntry } from './mapping.js';
import { auditBatch, auditConditions, auditPage, orgAuditPage } from './queries.js';

const seqCursor = (cursor: string | undefined) =>
  cursor === undefined ? undefined : decodeCursor(cursor, ['number'])[0];
const cursorOf = (row: { seq: number }) => encodeCursor([row.seq]);

/** The whole log, newest first, for `audit:read` holders. */
export async function listAudit(db: Database, query: AuditQuery) {
  const { limit = 20, cursor, ...filters } = query;
  const rows = await auditPage(db, auditConditions(filters), limit, seqCursor(cursor));
  return toPage(rows, limit, toAuditEntry, cursorOf);
}

/** One org's log, newest first: only rows carrying its id, through its scope. */
export async function listOrgAudit(scope: TenantScope, query: OrgAuditQuery) {
  const { limit = 20, cursor, ...filters } = query;
  const rows = await orgAuditPage(scope, auditConditions(filters), limit, seqCursor(cursor));
  return toPage(rows, limit, toAuditEntry, cursorOf);
}

const BATCH = 1000;

/** Matching rows in chain order, in keyset batches: memory stays flat however long the log. */
async function* lines(db: Database, query: AuditExportQuery) {
  let after = 0;
  for (;;) {
    const batch = await auditBatch(db, query, BATCH, after);
    for (const row of batch) yield `${JSON.stringify(toAuditEntry(row))}\n`;
    if (batch.length < BATCH) return;
    after = batch.at(-1)!.seq;
  }
}

/** The log as NDJSON (one AuditEntry per line), streamed with backpressure. */
export function exportAudit(db: Database, query: AuditExportQuery): Readable {
  const out = new PassThrough();
  // pipeline, not pipe: a failing query destroys the response stream instead of hanging it.
  pipeline(Readable.from(lines(db, query)), out, () => {});
  return out;
}
