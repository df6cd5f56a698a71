import type {
  ContactForm,
  CrmSyncJob,
  DemoRequestForm,
  EmailData,
  EmailJob,
  EmailTemplate,
  FormInput,
  FormType,
  QuoteRequestForm,
} from '@atrium/contracts';
import type { FollowupSubmission } from '@atrium/db/queries';

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

/** The stored payload is the form as the API accepted it (its schema checked), minus the captcha. */
const formOf = (submission: FollowupSubmission) => submission.payload as unknown as FormInput;

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
  return { firstName: first, ...(rest.length ? { lastName: rest.join(' ') } : {}) };
}

const email = <T extends EmailTemplate>(to: string, template: T, data: EmailData<T>): EmailJob => ({
  to,
  template,
  data,
});

/**
 * The sender's confirmation, to the address as they typed it: the demo request's own lists the
 * proposed times in the sender's zone.
 */
export function confirmationEmail(submission: FollowupSubmission): EmailJob {
  const { type } = submission;
  const input = formOf(submission);
  if (type === 'demo-request') {
    const demo = input as DemoRequestForm;
    return email(input.email, 'demo-confirmation', {
      name: input.name,
      service: demo.service,
      timeZone: demo.timeZone,
      slots: demo.preferredDates.map((d) => slotIn(d, demo.timeZone)),
    });
  }
  return email(input.email, 'form-confirmation', { name: input.name, formName: FORM_NAMES[type] });
}

/** The notification to the sales inbox: the whole form as labelled lines. */
export function salesEmail(submission: FollowupSubmission, salesInbox: string): EmailJob {
  const { id, type } = submission;
  const input = formOf(submission);
  return email(salesInbox, 'sales-notification', {
    formName: FORM_NAMES[type],
    fromEmail: input.email,
    message: describe(type, input).slice(0, 10_000),
    submissionId: id,
  });
}

/** The CRM sync: the contact, a note with the form, and for a quote a deal. */
export function crmJob(submission: FollowupSubmission): CrmSyncJob {
  const { type } = submission;
  const input = formOf(submission);
  const note = `Website ${FORM_NAMES[type]}\n\n${describe(type, input)}`.slice(0, 10_000);
  const job: CrmSyncJob = {
    // The submission's email, normalized as the lead's: one lead is one CRM contact, however the
    // sender typed it.
    email: submission.email,
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
