import type {
  UploadRejection,
  UploadStage,
  UploadStageStatus,
  UploadStatus,
} from '@atrium/contracts';
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { fileAnalyses, leads, type UploadRow, uploadStages, uploads } from '../schema/index.js';

/** The statuses whose bytes are still in storage (retention deletes them; `purged` after). */
export const UPLOAD_STATUSES_WITH_BYTES = [
  'uploaded',
  'scanning',
  'clean',
  'analysing',
  'analysed',
  'failed',
] as const satisfies readonly UploadStatus[];

/** An upload with what its pipeline needs of its lead (the email and CRM note go to them). */
export interface PipelineUpload extends UploadRow {
  lead: { email: string; name: string | null; company: string | null };
}

export async function findPipelineUpload(
  db: Database,
  id: string,
): Promise<PipelineUpload | undefined> {
  const [row] = await db
    .select({
      upload: uploads,
      lead: { email: leads.email, name: leads.name, company: leads.company },
    })
    .from(uploads)
    .innerJoin(leads, eq(leads.id, uploads.leadId))
    .where(eq(uploads.id, id));
  return row && { ...row.upload, lead: row.lead };
}

export interface StatusChange {
  status: UploadStatus;
  /** Changed only from one of these: a stage that lost a race, or ran twice, changes nothing. */
  from: readonly UploadStatus[];
  rejection?: UploadRejection;
  detail?: string | null;
  storageKey?: string;
}

/** A conditional status change; true when this call made it (the pipeline's once-only guard). */
export async function changeUploadStatus(
  tx: Database,
  id: string,
  change: StatusChange,
): Promise<boolean> {
  const rows = await tx
    .update(uploads)
    .set({
      status: change.status,
      ...(change.rejection === undefined ? {} : { rejection: change.rejection }),
      ...(change.detail === undefined ? {} : { detail: change.detail }),
      ...(change.storageKey === undefined ? {} : { storageKey: change.storageKey }),
      updatedAt: sql`now()`,
    })
    .where(and(eq(uploads.id, id), inArray(uploads.status, [...change.from])))
    .returning({ id: uploads.id });
  return rows.length > 0;
}

/**
 * A stage (re)starts: `running`, one more attempt, `startedAt` kept from the first attempt.
 * Returns the attempts so far (the scan's back-off grows with them).
 */
export async function startUploadStage(
  tx: Database,
  uploadId: string,
  name: UploadStage,
): Promise<number> {
  const [row] = await tx
    .insert(uploadStages)
    .values({ uploadId, name, status: 'running', attempts: 1, startedAt: sql`now()` })
    .onConflictDoUpdate({
      target: [uploadStages.uploadId, uploadStages.name],
      set: {
        status: 'running',
        attempts: sql`${uploadStages.attempts} + 1`,
        startedAt: sql`coalesce(${uploadStages.startedAt}, now())`,
        finishedAt: null,
        error: null,
      },
    })
    .returning({ attempts: uploadStages.attempts });
  return row!.attempts;
}

/**
 * Sets a stage's status; `error` is shown to whoever may read the upload's status, so it says
 * what happened in their words, never an address or a stack. Terminal statuses set `finishedAt`.
 */
export async function setUploadStage(
  tx: Database,
  uploadId: string,
  name: UploadStage,
  status: UploadStageStatus,
  error: string | null = null,
): Promise<void> {
  const finished = status === 'done' || status === 'failed' || status === 'skipped';
  const finishedAt = finished ? sql`now()` : null;
  await tx
    .insert(uploadStages)
    .values({ uploadId, name, status, error, finishedAt })
    .onConflictDoUpdate({
      target: [uploadStages.uploadId, uploadStages.name],
      set: { status, error, finishedAt },
    });
}

export interface FileAnalysisValues {
  uploadId: string;
  kind: string;
  status: 'analysed' | 'failed';
  summary: string;
  result: Record<string, unknown> | null;
  error: string | null;
  durationMs: number;
}

/** Stores (or, for a re-run analysis, replaces) the result of one upload. */
export async function saveFileAnalysis(tx: Database, values: FileAnalysisValues): Promise<void> {
  const { uploadId, kind, status, summary, result, error, durationMs } = values;
  await tx
    .insert(fileAnalyses)
    .values({ uploadId, kind, status, summary, result, error, durationMs })
    .onConflictDoUpdate({
      target: fileAnalyses.uploadId,
      set: { kind, status, summary, result, error, durationMs, createdAt: sql`now()` },
    });
}

// Retention: what the maintenance job deletes of uploads. Each finder returns a batch of the
// oldest candidates; the worker deletes their bytes, then calls the matching write, which checks
// the status again (a stage may have moved on meanwhile).

export interface StoredUploadRef {
  id: string;
  storageKey: string;
}

/** Uploads requested before `before` whose bytes are still stored. */
export const uploadsPastRetention = (db: Database, before: Date, limit: number) =>
  db
    .select({ id: uploads.id, storageKey: uploads.storageKey })
    .from(uploads)
    .where(
      and(inArray(uploads.status, [...UPLOAD_STATUSES_WITH_BYTES]), lt(uploads.createdAt, before)),
    )
    .orderBy(asc(uploads.createdAt))
    .limit(limit);

/** The bytes are gone: `purged`, metadata and analysis kept. False when it had moved on. */
export async function markUploadPurged(db: Database, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(uploads)
    .set({ status: 'purged', purgedAt: at, updatedAt: sql`now()` })
    .where(and(eq(uploads.id, id), inArray(uploads.status, [...UPLOAD_STATUSES_WITH_BYTES])))
    .returning({ id: uploads.id });
  return rows.length > 0;
}

/** `pending` uploads whose URL expired before `before`: never completed, nothing to keep. */
export const stalePendingUploads = (db: Database, before: Date, limit: number) =>
  db
    .select({ id: uploads.id, storageKey: uploads.storageKey })
    .from(uploads)
    .where(and(eq(uploads.status, 'pending'), lt(uploads.expiresAt, before)))
    .orderBy(asc(uploads.createdAt))
    .limit(limit);

/** Removes a still-pending upload (its stages go with it). False when it was completed since. */
export async function deletePendingUpload(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .delete(uploads)
    .where(and(eq(uploads.id, id), eq(uploads.status, 'pending')))
    .returning({ id: uploads.id });
  return rows.length > 0;
}

/** Bytes held in storage now, by the declared (and scan-checked) sizes: a metrics gauge. */
export async function storedUploadBytes(db: Database): Promise<number> {
  const [row] = await db
    .select({ bytes: sql<string>`coalesce(sum(${uploads.size}), 0)` })
    .from(uploads)
    .where(inArray(uploads.status, [...UPLOAD_STATUSES_WITH_BYTES]));
  return Number(row?.bytes ?? 0);
}
