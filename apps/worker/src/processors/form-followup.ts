import { findFormSubmission } from '@atrium/db/queries';
import type { Processor } from '@atrium/jobs';
import { type CrmDeps, syncCrm } from './crm-sync.js';
import { type EmailDeps, sendEmail } from './email.js';
import { confirmationEmail, crmJob, salesEmail } from './form-messages.js';

/**
 * form-followup: one effect of a form submission. The job carries the submission's id (and the
 * sales inbox); the email or CRM sync is built from the submission's row and performed by the
 * email / crm-sync processing under this job's key, so each effect is still done once per
 * `form:<submissionId>:<effect>` in the deliveries table. A submission gone since (its lead was
 * erased) sends nothing.
 */
export const followUpForm = (deps: EmailDeps & CrmDeps): Processor<'form-followup'> => {
  const email = sendEmail(deps);
  const crm = syncCrm(deps);
  return async (payload, ctx) => {
    const { submissionId, effect } = payload;
    const submission = await findFormSubmission(deps.db, submissionId);
    if (!submission) {
      return ctx.log.info(
        { jobId: ctx.jobId, submissionId, effect },
        'form-followup: the submission is gone (its lead was erased); nothing sent',
      );
    }
    if (payload.effect === 'confirmation') return email(confirmationEmail(submission), ctx);
    if (payload.effect === 'sales') return email(salesEmail(submission, payload.to), ctx);
    return crm(crmJob(submission), ctx);
  };
};
