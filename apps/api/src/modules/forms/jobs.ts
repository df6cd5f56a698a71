import type {
  ContactForm,
  CrmSyncJob,
  DemoRequestForm,
  FormInput,
  FormType,
  QuoteRequestForm,
} from '@atrium/contracts';
import { type FormJob, formJobKey, normalizeEmail } from '@atrium/db/queries';
import { emailJob, type OutboxJob, outboxJob } from '@atrium/jobs';

/** How each form names itself in emails and CRM notes. */
export const FORM_NAMES: Record<FormType, string> = {
  contact: 'message',
  'demo-request': 'demo request',
  'quote-request': 'quote request',
};

/** `2026-12-01T09:00:00Z` in the sender's zone, as a person reads it. */
export const slotIn = (instant: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(
    new Date(instant),
  );

/** The form's fields as labelled lines: the sales notification's body and the CRM note. */
function describe(type: FormType, input: FormInput): string {
  const lines: [string, string | undefined][] = [
    ['Name', input.name],
    ['Email', input.email],
    ['Company', input.company],
    ['Phone', input.phone],
  ];
  if (type === 'demo-request') {
    const demo = input as DemoRequestForm;
    lines.push(
      ['Service', demo.service],
      ['Time zone', demo.timeZone],
      ['Proposed times', demo.preferredDates.map((d) => slotIn(d, demo.timeZone)).join('; ')],
    );
  }
  if (type === 'quote-request') {
    const quote = input as QuoteRequestForm;
    lines.push(
      ['Service', quote.service],
      ['Budget', quote.budgetRange],
      ['Timeline', quote.timeline],
      ['Volume', quote.volume],
    );
  }
  const fields = lines.filter(([, v]) => v).map(([label, v]) => `${label}: ${v}`);
  const message = (input as ContactForm).message;
  return [...fields, ...(message ? ['', message] : [])].join('\n');
}

/** "Ada Lovelace" → Ada / Lovelace; one word is a first name. */
function splitName(name: string) {
  const [first, ...rest] = name.trim().split(/\s+/);
  return { firstName: first, lastName: rest.length ? rest.join(' ') : undefined };
}

function crmJob(type: FormType, input: FormInput): CrmSyncJob {
  const note = `Website ${FORM_NAMES[type]}\n\n${describe(type, input)}`.slice(0, 10_000);
  const job: CrmSyncJob = {
    // The lead's email: one lead is one CRM contact, however the sender typed it.
    email: normalizeEmail(input.email),
    ...splitName(input.name),
    ...(input.company ? { company: input.company } : {}),
    ...(input.phone ? { phone: input.phone } : {}),
    note,
  };
  if (type === 'quote-request') {
    const quote = input as QuoteRequestForm;
    const who = input.company || input.name;
    job.deal = {
      name: `${quote.service} for ${who}`.slice(0, 300),
      description: `Budget: ${quote.budgetRange}; timeline: ${quote.timeline}${quote.volume ? `; volume: ${quote.volume}` : ''}`,
    };
  }
  return job;
}

/**
 * The submission's jobs, written with it (one statement): the sender's confirmation (the demo
 * request's lists the proposed times), the notification to SALES_INBOX when one is set, and the
 * CRM sync (contact, note, and a deal for a quote).
 */
export function formJobs(
  submission: { id: string; type: FormType; input: FormInput },
  salesInbox: string | undefined,
): OutboxJob[] {
  const { id, type, input } = submission;
  // Keyed by the submission: a retried request is one submission and so one set of jobs, and the
  // lead's timeline finds the jobs and their deliveries by these keys.
  const key = (job: FormJob) => ({ idempotencyKey: formJobKey(id, job) });
  const jobs: OutboxJob[] = [];
  if (type === 'demo-request') {
    const demo = input as DemoRequestForm;
    jobs.push(
      emailJob(
        input.email,
        'demo-confirmation',
        {
          name: input.name,
          service: demo.service,
          timeZone: demo.timeZone,
          slots: demo.preferredDates.map((d) => slotIn(d, demo.timeZone)),
        },
        key('confirmation'),
      ),
    );
  } else {
    jobs.push(
      emailJob(
        input.email,
        'form-confirmation',
        { name: input.name, formName: FORM_NAMES[type] },
        key('confirmation'),
      ),
    );
  }
  if (salesInbox) {
    jobs.push(
      emailJob(
        salesInbox,
        'sales-notification',
        {
          formName: FORM_NAMES[type],
          fromEmail: input.email,
          message: describe(type, input).slice(0, 10_000),
          submissionId: id,
        },
        key('sales'),
      ),
    );
  }
  jobs.push(outboxJob('crm-sync', crmJob(type, input), key('crm')));
  return jobs;
}
