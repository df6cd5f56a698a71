import type { FormFollowupJob } from '@atrium/contracts';
import { type FormJob, formJobKey } from '@atrium/db/queries';
import { type OutboxJob, outboxJob } from '@atrium/jobs';

/**
 * The submission's jobs, written with it (one statement): the sender's confirmation, the
 * notification to SALES_INBOX when one is set, and the CRM sync. Each names the submission only:
 * the worker builds the email or the CRM call from its row (apps/worker's form-followup), so the
 * person's data stays in the one row the lead's erasure deletes.
 */
export function formJobs(submissionId: string, salesInbox: string | undefined): OutboxJob[] {
  // Keyed by the submission: a retried request is one submission and so one set of jobs, and the
  // lead's timeline finds the jobs and their deliveries by these keys.
  const job = (effect: FormJob, payload: FormFollowupJob) =>
    outboxJob('form-followup', payload, { idempotencyKey: formJobKey(submissionId, effect) });
  return [
    job('confirmation', { submissionId, effect: 'confirmation' }),
    ...(salesInbox ? [job('sales', { submissionId, effect: 'sales', to: salesInbox })] : []),
    job('crm', { submissionId, effect: 'crm' }),
  ];
}
