import type { FormSubmissionExportQuery } from '@atrium/contracts';
import { type Database, formSubmissions, perDatabase } from '@atrium/db';
import { and, desc, eq, getTableColumns, gte, lt, type SQL, sql } from '@atrium/db/orm';

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
 * The submission row; `undefined` when another request with the same Idempotency-Key committed
 * first (the caller rolls back and answers with that one).
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
