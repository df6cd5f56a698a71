import { eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { formSubmissions } from '../schema/index.js';

/**
 * What a form's follow-up jobs read (the jobs carry only the submission's id): its type, the
 * form as stored, and its email (normalized, as the lead's). `undefined` once the lead, and with
 * it the submission, has been erased.
 */
export async function findFormSubmission(db: Database, id: string) {
  const [row] = await db
    .select({
      id: formSubmissions.id,
      type: formSubmissions.type,
      email: formSubmissions.email,
      payload: formSubmissions.payload,
    })
    .from(formSubmissions)
    .where(eq(formSubmissions.id, id));
  return row;
}
export type FollowupSubmission = NonNullable<Awaited<ReturnType<typeof findFormSubmission>>>;
