import type { FormSubmission } from '@atrium/contracts';
import type { FormSubmissionRow } from '@atrium/db';

export const toFormSubmission = (row: FormSubmissionRow): FormSubmission => ({
  id: row.id,
  type: row.type,
  leadId: row.leadId,
  email: row.email,
  payload: row.payload,
  spam: row.spam,
  ip: row.ip,
  userAgent: row.userAgent,
  createdAt: row.createdAt.toISOString(),
});
