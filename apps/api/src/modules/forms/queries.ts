import type { FormSubmissionExportQuery } from '@atrium/contracts';
import { type Database, formSubmissions, leads, outbox, perDatabase } from '@atrium/db';
import { and, desc, eq, getTableColumns, gte, lt, type SQL, sql } from '@atrium/db/orm';
import { type LeadContact, leadUpsert, leadValues } from '@atrium/db/queries';
import { type OutboxJob, outboxParams, outboxValues } from '@atrium/jobs';
import { uuidv7 } from 'uuidv7';

export type NewSubmission = Pick<
  typeof formSubmissions.$inferInsert,
  | 'type'
  | 'leadId'
  | 'email'
  | 'payload'
  | 'spam'
  | 'ip'
  | 'userAgent'
  | 'idempotencyKey'
  | 'bodyHash'
>;

const columns = getTableColumns(formSubmissions);

/**
 * The submission row alone (spam: no lead, no jobs); `undefined` when another request with the
 * same Idempotency-Key stored one first (the caller answers with that one).
 */
export async function insertSubmission(tx: Database, values: NewSubmission) {
  const [row] = await tx
    .insert(formSubmissions)
    .values({
      type: values.type,
      leadId: values.leadId,
      email: values.email,
      payload: values.payload,
      spam: values.spam,
      ip: values.ip,
      userAgent: values.userAgent,
      idempotencyKey: values.idempotencyKey,
      bodyHash: values.bodyHash,
    })
    .onConflictDoNothing({ target: formSubmissions.idempotencyKey })
    .returning({ id: formSubmissions.id });
  return row;
}

/** A submission with its sender: the row's id is made by the caller, its jobs name it. */
export type SubmissionWithLead = Omit<NewSubmission, 'leadId' | 'spam'> & { id: string };

const LEAD_FIELDS = ['email', 'name', 'company', 'phone', 'consent'] as const;
const leadParam = (field: string) => `lead_${field}`;

/**
 * The statement behind a real submission: the lead upsert (its rules in `leadUpsert`), the
 * submission row pointing at the lead, and the submission's jobs, as one data-modifying CTE —
 * one round trip and no transaction, where a transaction of five inserts costs seven. One
 * prepared statement per shape: whether the form asked for consent, and how many jobs.
 */
function submitStatement(db: Database, consentGiven: boolean, jobCount: number) {
  const param = sql.placeholder;
  const leadValuesParams = Object.fromEntries(LEAD_FIELDS.map((f) => [f, param(leadParam(f))]));
  const lead = db.$with('lead').as(
    leadUpsert(db, param('lead_id'), leadValuesParams as never, consentGiven).returning({
      id: leads.id,
    }),
  );
  const submission = db.$with('submission').as(
    db
      .insert(formSubmissions)
      .values({
        id: param('id') as never,
        type: param('type') as never,
        leadId: sql`(select ${lead.id} from ${lead})`,
        email: param('email') as never,
        payload: param('payload'),
        spam: false,
        ip: param('ip') as never,
        userAgent: param('userAgent') as never,
        idempotencyKey: param('idempotencyKey') as never,
        bodyHash: param('bodyHash') as never,
      })
      .returning({ id: formSubmissions.id }),
  );
  return db
    .with(lead, submission)
    .insert(outbox)
    .values(Array.from({ length: jobCount }, (_, i) => outboxValues(`job${i}_`)))
    .onConflictDoNothing({ target: outbox.idempotencyKey })
    .prepare(`form_submit_${consentGiven ? 'consent' : 'no_consent'}_${jobCount}_jobs`);
}

const submitStatements = perDatabase(() => new Map<string, ReturnType<typeof submitStatement>>());

/**
 * Writes a submission, its lead and its jobs at once. Another submission already stored under
 * the same Idempotency-Key makes the whole statement fail with a unique violation on
 * `form_submissions_idempotency_key_unique`, writing nothing (the caller answers with that one).
 * The caller wakes the outbox relay after.
 */
export async function insertSubmissionWithJobs(
  db: Database,
  contact: LeadContact,
  submission: SubmissionWithLead,
  jobs: OutboxJob[],
) {
  const consentGiven = contact.consent !== undefined;
  const shape = `${consentGiven}:${jobs.length}`;
  const statements = submitStatements(db);
  let statement = statements.get(shape);
  if (!statement) {
    statement = submitStatement(db, consentGiven, jobs.length);
    statements.set(shape, statement);
  }
  const values = leadValues(contact);
  await statement.execute({
    lead_id: uuidv7(),
    ...Object.fromEntries(LEAD_FIELDS.map((f) => [leadParam(f), values[f]])),
    ...submission,
    ...Object.assign({}, ...jobs.map((job, i) => outboxParams(job, `job${i}_`))),
  });
}

/** Read by key on every submission that carries one: prepared once per database. */
const byKey = perDatabase((db) =>
  db
    .select({ id: formSubmissions.id, bodyHash: formSubmissions.bodyHash })
    .from(formSubmissions)
    .where(eq(formSubmissions.idempotencyKey, sql.placeholder('key')))
    .prepare('form_submission_by_key'),
);

export async function submissionByKey(db: Database, key: string) {
  const [row] = await byKey(db).execute({ key });
  return row;
}

export async function submissionById(db: Database, id: string) {
  const [row] = await db.select(columns).from(formSubmissions).where(eq(formSubmissions.id, id));
  return row;
}

/** The list's filters; ids are UUIDv7, so id order is arrival order. */
export const filters = (query: FormSubmissionExportQuery): SQL | undefined =>
  and(
    query.type ? eq(formSubmissions.type, query.type) : undefined,
    query.from ? gte(formSubmissions.createdAt, new Date(query.from)) : undefined,
    query.to ? lt(formSubmissions.createdAt, new Date(query.to)) : undefined,
    query.spam === undefined ? undefined : eq(formSubmissions.spam, query.spam),
  );

/** Newest first, `limit` rows after the cursor (the last id of the previous page). */
export const submissionPage = (
  db: Database,
  where: SQL | undefined,
  limit: number,
  cursor?: string,
) =>
  db
    .select(columns)
    .from(formSubmissions)
    .where(and(where, cursor ? lt(formSubmissions.id, cursor) : undefined))
    .orderBy(desc(formSubmissions.id))
    .limit(limit);
