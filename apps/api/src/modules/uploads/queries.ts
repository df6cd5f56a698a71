import { UploadStages, type UploadStatus } from '@atrium/contracts';
import {
  type Database,
  fileAnalyses,
  leads,
  type UploadRow,
  uploadStages,
  uploads,
} from '@atrium/db';
import { and, desc, eq, gt, lt, sql } from '@atrium/db/orm';

/** How many upload requests fell in the window, and in how many seconds the oldest leaves it. */
export interface Recent {
  count: number;
  leavesIn: number;
}

// On the database clock, the one `created_at` was written with.
const window = (seconds: number) => sql`make_interval(secs => ${seconds})`;
const within = (seconds: number) => gt(uploads.createdAt, sql`now() - ${window(seconds)}`);
const recentColumns = (seconds: number) => ({
  count: sql<number>`count(*)::int`,
  leavesIn: sql<
    number | null
  >`ceil(extract(epoch from min(${uploads.createdAt}) + ${window(seconds)} - now()))::int`,
});
const toRecent = ([row]: { count: number; leavesIn: number | null }[]): Recent => ({
  count: row?.count ?? 0,
  leavesIn: Math.max(1, row?.leavesIn ?? 1),
});

/**
 * Serializes upload requests from one IP and for one address until the transaction ends, so two
 * concurrent requests cannot both see the last free slot of a limit.
 */
export async function lockRequester(tx: Database, ip: string, email: string) {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`atrium:upload-ip:${ip}`}, 0)),
      pg_advisory_xact_lock(hashtextextended(${`atrium:upload-email:${email}`}, 0))`,
  );
}

export const recentFromIp = async (tx: Database, ip: string, seconds: number) =>
  toRecent(
    await tx
      .select(recentColumns(seconds))
      .from(uploads)
      .where(and(eq(uploads.requestIp, ip), within(seconds))),
  );

/** `email` normalized (the lead's key). */
export const recentForEmail = async (tx: Database, email: string, seconds: number) =>
  toRecent(
    await tx
      .select(recentColumns(seconds))
      .from(uploads)
      .innerJoin(leads, eq(leads.id, uploads.leadId))
      .where(and(eq(leads.email, email), within(seconds))),
  );

export type NewUpload = Pick<
  UploadRow,
  | 'id'
  | 'leadId'
  | 'ownerId'
  | 'filename'
  | 'contentType'
  | 'size'
  | 'purpose'
  | 'storageKey'
  | 'accessTokenHash'
  | 'requestIp'
  | 'expiresAt'
  | 'idempotencyKey'
>;

/** The upload and one `pending` row per pipeline stage. */
export async function insertUpload(tx: Database, values: NewUpload) {
  const [row] = await tx
    .insert(uploads)
    .values({
      id: values.id,
      leadId: values.leadId,
      ownerId: values.ownerId,
      filename: values.filename,
      contentType: values.contentType,
      size: values.size,
      purpose: values.purpose,
      storageKey: values.storageKey,
      accessTokenHash: values.accessTokenHash,
      requestIp: values.requestIp,
      expiresAt: values.expiresAt,
      idempotencyKey: values.idempotencyKey,
    })
    .returning();
  await tx
    .insert(uploadStages)
    .values(
      UploadStages.map((name) => ({ uploadId: values.id, name, status: 'pending' as const })),
    );
  return row!;
}

/** The upload an earlier request of this uploader (normalized email) made with this key. */
export async function uploadByIdempotencyKey(db: Database, email: string, key: string) {
  const [row] = await db
    .select({ upload: uploads })
    .from(uploads)
    .innerJoin(leads, eq(leads.id, uploads.leadId))
    .where(and(eq(leads.email, email), eq(uploads.idempotencyKey, key)));
  return row?.upload;
}

/**
 * A new access token and URL expiry for a still-`pending` upload (a retried request: the first
 * answer, and its token, never reached the client). Nothing when it has moved on.
 */
export async function reissueUpload(
  db: Database,
  id: string,
  values: Pick<UploadRow, 'accessTokenHash' | 'expiresAt'>,
) {
  const [row] = await db
    .update(uploads)
    .set({
      accessTokenHash: values.accessTokenHash,
      expiresAt: values.expiresAt,
      updatedAt: sql`now()`,
    })
    .where(and(eq(uploads.id, id), eq(uploads.status, 'pending')))
    .returning({ id: uploads.id });
  return row;
}

/** The upload, locked until the transaction ends when `lock` is set. */
export async function uploadById(db: Database, id: string, lock = false) {
  const query = db.select().from(uploads).where(eq(uploads.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** The status and storage key behind a signed upload URL's key (the PUT route's one read). */
export async function uploadByKey(db: Database, storageKey: string) {
  const [row] = await db
    .select({ id: uploads.id, status: uploads.status })
    .from(uploads)
    .where(eq(uploads.storageKey, storageKey));
  return row;
}

/** The stages in pipeline order. */
export async function stagesOf(db: Database, uploadId: string) {
  const rows = await db.select().from(uploadStages).where(eq(uploadStages.uploadId, uploadId));
  return rows.sort((a, b) => UploadStages.indexOf(a.name) - UploadStages.indexOf(b.name));
}

/** `pending` → `uploaded` and the upload stage done; nothing when it had already moved on. */
export async function markUploaded(tx: Database, id: string) {
  const [row] = await tx
    .update(uploads)
    .set({ status: 'uploaded', uploadedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(uploads.id, id), eq(uploads.status, 'pending')))
    .returning();
  if (!row) return undefined;
  await tx
    .update(uploadStages)
    .set({
      status: 'done',
      // The upload stage began when the URL was handed out.
      startedAt: row.createdAt,
      finishedAt: sql`now()`,
    })
    .where(and(eq(uploadStages.uploadId, id), eq(uploadStages.name, 'upload')));
  return row;
}

export async function analysisOf(db: Database, uploadId: string) {
  const [row] = await db.select().from(fileAnalyses).where(eq(fileAnalyses.uploadId, uploadId));
  return row;
}

/** Up to `limit` + 1 uploads older than `cursor`, newest first (ids are UUIDv7: creation order). */
export function uploadPage(
  db: Database,
  filter: { status?: UploadStatus },
  limit: number,
  cursor?: string,
) {
  return db
    .select()
    .from(uploads)
    .where(
      and(
        filter.status ? eq(uploads.status, filter.status) : undefined,
        cursor ? lt(uploads.id, cursor) : undefined,
      ),
    )
    .orderBy(desc(uploads.id))
    .limit(limit + 1);
}
