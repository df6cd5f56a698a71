import { type Static, Type } from 'typebox';

/**
 * Job payloads, one schema per queue. Producers (API modules) and processors (the worker)
 * both take their types from here, so the two sides cannot drift apart.
 */

/** Every email Atrium sends; the mail package has one text + HTML template per name. */
export const EmailTemplates = [
  'email-verification',
  'email-change',
  'email-change-notice',
  'password-reset',
  'org-invitation',
  'form-confirmation',
  'demo-confirmation',
  'sales-notification',
  'upload-finished',
  'report-status-changed',
] as const;
export type EmailTemplate = (typeof EmailTemplates)[number];

export const EmailJob = Type.Object({
  to: Type.String({ format: 'email' }),
  template: Type.Enum(EmailTemplates),
  /** The template's variables (names, links…); each template documents its own. */
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type EmailJob = Static<typeof EmailJob>;

/**
 * A CRM sync: upsert the contact by email and, when `note` is given, attach it to the contact;
 * when `deal` is given, open a deal (in the pipeline and stage the worker is configured with)
 * associated with the contact. Producers: form submissions, uploads, sales inquiries.
 */
export const CrmSyncJob = Type.Object({
  email: Type.String({ format: 'email' }),
  firstName: Type.Optional(Type.String({ maxLength: 200 })),
  lastName: Type.Optional(Type.String({ maxLength: 200 })),
  company: Type.Optional(Type.String({ maxLength: 200 })),
  phone: Type.Optional(Type.String({ maxLength: 50 })),
  note: Type.Optional(Type.String({ maxLength: 10_000 })),
  deal: Type.Optional(
    Type.Object({
      name: Type.String({ minLength: 1, maxLength: 300 }),
      /** Free text as the sender gave it (a budget range); HubSpot's amount stays unset. */
      description: Type.Optional(Type.String({ maxLength: 5000 })),
    }),
  ),
});
export type CrmSyncJob = Static<typeof CrmSyncJob>;

/** What follows a form submission, one job each: the sender's confirmation, sales, the CRM. */
export const FormFollowups = ['confirmation', 'sales', 'crm'] as const;
export type FormFollowup = (typeof FormFollowups)[number];

const submissionId = Type.String({ format: 'uuid' });

/**
 * One of a form submission's follow-ups (SPEC §4.6): like an upload stage, the processor reads
 * everything else from the submission's row, so the person's data never sits in the queue and
 * the lead's erasure (which deletes the row) reaches all of it. The sales notification carries
 * its recipient: SALES_INBOX as the API had it when the form came (an address of ours, not
 * personal data), so the worker needs no SALES_INBOX of its own and the lead's timeline shows
 * where the notification went even after SALES_INBOX changes.
 */
export const FormFollowupJob = Type.Union([
  Type.Object(
    { submissionId, effect: Type.Enum(['confirmation', 'crm'] as const) },
    { additionalProperties: false },
  ),
  Type.Object(
    { submissionId, effect: Type.Literal('sales'), to: Type.String({ format: 'email' }) },
    { additionalProperties: false },
  ),
]);
export type FormFollowupJob = Static<typeof FormFollowupJob>;

/** Housekeeping the scheduler runs; the worker's task table has one entry per name. */
export const MaintenanceTasks = [
  'prune-outbox',
  'prune-deliveries',
  'purge-sessions',
  'purge-refresh-tokens',
  'purge-one-time-tokens',
  'purge-invitations',
  'purge-uploads',
  'purge-stale-uploads',
  'prune-audit',
] as const;
export type MaintenanceTask = (typeof MaintenanceTasks)[number];

export const MaintenanceJob = Type.Object({
  task: Type.Enum(MaintenanceTasks),
});
export type MaintenanceJob = Static<typeof MaintenanceJob>;

/** One stage of one upload's pipeline (SPEC §4.7): the processor reads everything else from its row. */
export const UploadStageJob = Type.Object({ uploadId: Type.String({ format: 'uuid' }) });
export type UploadStageJob = Static<typeof UploadStageJob>;

/** A Contentful sync pass (initial, then deltas from the stored sync token). */
export const ContentSyncJob = Type.Object({});
export type ContentSyncJob = Static<typeof ContentSyncJob>;

export const JobPayloads = {
  email: EmailJob,
  'crm-sync': CrmSyncJob,
  'form-followup': FormFollowupJob,
  'file-scan': UploadStageJob,
  'file-analysis': UploadStageJob,
  'content-sync': ContentSyncJob,
  maintenance: MaintenanceJob,
} as const;

export type QueueName = keyof typeof JobPayloads;
export type JobPayload<Q extends QueueName> = Static<(typeof JobPayloads)[Q]>;
export const QueueNames = Object.keys(JobPayloads) as QueueName[];
