import {
  type Database,
  deliveries,
  fileAnalyses,
  formSubmissions,
  leadErasures,
  leadSearchText,
  leads,
  outbox,
  uploads,
} from '@atrium/db';
import { and, asc, desc, eq, getTableColumns, isNull, type SQL, sql } from '@atrium/db/orm';
import { FORM_JOB_PREFIX, FORM_JOBS, UPLOAD_JOB_PREFIX, UPLOAD_JOBS } from '@atrium/db/queries';

const leadColumns = getTableColumns(leads);

/** `%text%` for ILIKE, its own `%`, `_` and `\` matched literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Name, email or company containing `q` (the trigram index serves ILIKE). */
export const matching = (q: string | undefined): SQL | undefined =>
  q ? sql`${leadSearchText(leads)} ilike ${containing(q)}` : undefined;

/**
 * `last_seen_at` to the microsecond, as text: a cursor holding a JS Date (milliseconds) would
 * skip or repeat leads seen within the same millisecond.
 */
const exactLastSeen = sql<string>`to_char(${leads.lastSeenAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Most recently seen first; the keyset is (last_seen_at, id), the index's order. */
export const leadPage = (
  db: Database,
  where: SQL | undefined,
  limit: number,
  after?: { lastSeenAt: string; id: string },
) =>
  db
    .select({ ...leadColumns, cursorAt: exactLastSeen })
    .from(leads)
    .where(
      and(
        where,
        after
          ? sql`(${leads.lastSeenAt}, ${leads.id}) < (${after.lastSeenAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(leads.lastSeenAt), desc(leads.id))
    .limit(limit);

export async function leadById(db: Database, id: string, lock = false) {
  const query = db.select(leadColumns).from(leads).where(eq(leads.id, id));
  const [row] = await (lock ? query.for('update') : query);
  return row;
}

/** A timeline reads at most this many of each kind; a lead with more is not a person. */
const TIMELINE_MAX = 500;

export const submissionsOf = (db: Database, leadId: string) =>
  db
    .select({
      id: formSubmissions.id,
      type: formSubmissions.type,
      spam: formSubmissions.spam,
      createdAt: formSubmissions.createdAt,
    })
    .from(formSubmissions)
    .where(eq(formSubmissions.leadId, leadId))
    .orderBy(asc(formSubmissions.id))
    .limit(TIMELINE_MAX);

export const uploadsOf = (db: Database, leadId: string) =>
  db
    .select({
      id: uploads.id,
      filename: uploads.filename,
      status: uploads.status,
      rejection: uploads.rejection,
      storageKey: uploads.storageKey,
      createdAt: uploads.createdAt,
      updatedAt: uploads.updatedAt,
      analysis: fileAnalyses.summary,
      analysisStatus: fileAnalyses.status,
    })
    .from(uploads)
    .leftJoin(fileAnalyses, eq(fileAnalyses.uploadId, uploads.id))
    .where(eq(uploads.leadId, leadId))
    .orderBy(asc(uploads.createdAt))
    .limit(TIMELINE_MAX);

/**
 * The exact keys of the lead's submissions' jobs, in SQL: the outbox's unique index on the key
 * serves `= any (…)`, where a LIKE on a prefix would scan the whole outbox.
 */
const jobKeysOf = (leadId: string) =>
  sql`(select ${FORM_JOB_PREFIX}::text || ${formSubmissions.id} || ':' || job
       from ${formSubmissions}, unnest(${sqlArray(FORM_JOBS)}) as job
       where ${formSubmissions.leadId} = ${leadId}
     union all
     select ${UPLOAD_JOB_PREFIX}::text || ${uploads.id} || ':' || job
       from ${uploads}, unnest(${sqlArray(UPLOAD_JOBS)}) as job
       where ${uploads.leadId} = ${leadId})`;

const sqlArray = (values: readonly string[]) =>
  sql`array[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::text[]`;

/**
 * The lead's jobs with each of their effects (deliveries), one row per (job, effect). A form's
 * jobs carry only their submission's id: the submission's type (which names the confirmation's
 * template) and the email as the sender typed it (where the confirmation goes) come from its row.
 */
export const jobsOf = (db: Database, leadId: string) =>
  db
    .select({
      key: outbox.idempotencyKey,
      queue: outbox.queue,
      payload: outbox.payload,
      formType: formSubmissions.type,
      formEmail: sql<string | null>`${formSubmissions.payload}->>'email'`,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      finishedAt: outbox.finishedAt,
      effect: deliveries.kind,
      effectStatus: deliveries.status,
      effectAt: deliveries.doneAt,
    })
    .from(outbox)
    .leftJoin(
      formSubmissions,
      sql`${outbox.queue} = 'form-followup' and ${formSubmissions.id} = (${outbox.payload}->>'submissionId')::uuid`,
    )
    .leftJoin(deliveries, eq(deliveries.key, outbox.idempotencyKey))
    .where(sql`${outbox.idempotencyKey} = any ${jobKeysOf(leadId)}`)
    .orderBy(asc(outbox.createdAt), asc(deliveries.createdAt));

/**
 * Removes the lead's jobs from the outbox: an upload's email and CRM note carry the person's
 * email, name and company. A form's jobs carry only the submission's id; one already handed to
 * BullMQ finds its row gone with the lead and sends nothing.
 */
export const deleteJobsOf = (tx: Database, leadId: string) =>
  tx.delete(outbox).where(sql`${outbox.idempotencyKey} = any ${jobKeysOf(leadId)}`);

/** Spam submissions have no lead; erasure finds them by the email they gave. */
export const deleteSpamOf = (tx: Database, email: string) =>
  tx
    .delete(formSubmissions)
    .where(and(isNull(formSubmissions.leadId), eq(formSubmissions.email, email)))
    .returning({ id: formSubmissions.id });

/** Deletes the lead; its submissions and uploads (with their stages and analyses) cascade. */
export const deleteLeadRow = (tx: Database, id: string) => tx.delete(leads).where(eq(leads.id, id));

export const insertErasure = (
  tx: Database,
  values: { leadId: string; actorId: string; submissions: number; uploads: number },
) =>
  tx.insert(leadErasures).values({
    leadId: values.leadId,
    actorId: values.actorId,
    submissions: values.submissions,
    uploads: values.uploads,
  });

/** How much an erasure removes: the lead's submissions (spam ones counted apart) and uploads. */
export async function countsOf(tx: Database, leadId: string) {
  const [row] = await tx
    .select({
      submissions: sql<number>`(select count(*)::int from ${formSubmissions} where ${formSubmissions.leadId} = ${leadId})`,
      uploads: sql<number>`(select count(*)::int from ${uploads} where ${uploads.leadId} = ${leadId})`,
    })
    .from(sql`(select 1) as one`);
  return row!;
}

/** The stored objects of the lead's uploads, to delete once the rows are gone. */
export const storageKeysOf = (tx: Database, leadId: string) =>
  tx.select({ key: uploads.storageKey }).from(uploads).where(eq(uploads.leadId, leadId));
