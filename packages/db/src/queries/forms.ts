import { eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { perDatabase } from '../per-database.js';
import { formSubmissions } from '../schema/index.js';

/** Prepared once per database: each of a submission's follow-up jobs reads its row. */
const byId = perDatabase((db) =>
  db
    .select({
      id: formSubmissions.id,
      type: formSubmissions.type,
      email: formSubmissions.email,
      payload: formSubmissions.payload,
    })
    .from(formSubmissions)
    .where(eq(formSubmissions.id, sql.placeholder('id')))
    .prepare('form_submission_for_followup'),
);

/**
 * What a form's follow-up jobs read (the jobs carry only the submission's id): its type, the
 * form as stored, and its email (normalized, as the lead's). `undefined` once the lead, and with
 * it the submission, has been erased.
 */
export async function findFormSubmission(db: Database, id: string) {
  const [row] = await byId(db).execute({ id });
  return row;
}
export type FollowupSubmission = NonNullable<Awaited<ReturnType<typeof findFormSubmission>>>;
