import type { FormFollowupJob, Lead, LeadEvent } from '@atrium/contracts';
import type { LeadRow } from '@atrium/db';
import type { jobsOf, submissionsOf, uploadsOf } from './queries.js';

/** Only the lead's own columns reach the answer (a page's rows also carry their cursor). */
export const toLead = (row: LeadRow): Lead => ({
  id: row.id,
  email: row.email,
  name: row.name,
  company: row.company,
  phone: row.phone,
  consent: row.consent,
  consentAt: row.consentAt?.toISOString() ?? null,
  hubspotContactId: row.hubspotContactId,
  firstSeenAt: row.firstSeenAt.toISOString(),
  lastSeenAt: row.lastSeenAt.toISOString(),
});

type Rows<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

export const submissionEvent = (row: Rows<typeof submissionsOf>[number]): LeadEvent => ({
  kind: 'form_submission',
  at: row.createdAt.toISOString(),
  ref: row.id,
  status: row.spam ? 'spam' : 'received',
  summary: `Sent the ${row.type} form`,
  detail: { type: row.type },
});

export const uploadEvent = (row: Rows<typeof uploadsOf>[number]): LeadEvent => ({
  kind: 'upload',
  at: row.createdAt.toISOString(),
  ref: row.id,
  status: row.status,
  summary: `Uploaded ${row.filename}`,
  detail: {
    filename: row.filename,
    rejection: row.rejection,
    analysis: row.analysis,
    analysisStatus: row.analysisStatus,
    updatedAt: row.updatedAt.toISOString(),
  },
});

type JobRow = Rows<typeof jobsOf>[number];

/**
 * The email a job sends, if it sends one: an email job's template and recipient are in its
 * payload; a form's job (only the submission's id) sends what its worker builds from the
 * submission: the confirmation to the address as typed, the notification to the sales inbox the
 * job names.
 */
function emailOf(job: JobRow) {
  if (job.queue === 'email') return job.payload as { to: string; template: string };
  if (job.queue !== 'form-followup') return undefined;
  const followup = job.payload as FormFollowupJob;
  if (followup.effect === 'sales') return { to: followup.to, template: 'sales-notification' };
  if (followup.effect === 'crm') return undefined;
  const template = job.formType === 'demo-request' ? 'demo-confirmation' : 'form-confirmation';
  // The job's key names one of the lead's submissions: the statement read its row too.
  return { to: job.formEmail!, template };
}

/**
 * One job (several rows: one per effect) as one event. Its status is the job's outcome as far as
 * it is known: `failed` (out of attempts), else the effects' delivery status (`done`, `logged`,
 * `not_sent`, `pending` while one is under way), else `queued`.
 */
export function jobEvent(rows: JobRow[], hubspotContactId: string | null): LeadEvent {
  const job = rows[0]!;
  const effects = rows
    .filter((r) => r.effect !== null)
    .map((r) => ({
      kind: r.effect,
      status: r.effectStatus,
      at: r.effectAt?.toISOString() ?? null,
    }));
  const statuses = new Set(effects.map((e) => e.status));
  const status =
    job.status === 'failed'
      ? 'failed'
      : statuses.has('pending')
        ? 'pending'
        : effects.length
          ? effects[0]!.status!
          : 'queued';
  const ref = job.key.split(':')[1]!;
  const common = {
    at: job.createdAt.toISOString(),
    ref,
    status,
  };
  const email = emailOf(job);
  if (email) {
    return {
      kind: 'email',
      ...common,
      summary: `Email ${email.template} to ${email.to}`,
      detail: {
        template: email.template,
        to: email.to,
        attempts: job.attempts,
        effects,
        lastError: job.lastError,
      },
    };
  }
  return {
    kind: 'crm_sync',
    ...common,
    summary: 'CRM sync (contact, note, deal)',
    detail: { hubspotContactId, attempts: job.attempts, effects, lastError: job.lastError },
  };
}
