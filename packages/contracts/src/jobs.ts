import { type Static, Type } from 'typebox';

/**
 * Job payloads, one schema per queue. Producers (API modules) and processors (the worker)
 * both take their types from here, so the two sides cannot drift apart.
 */

/** Every email Atrium sends; the mail package has one text + HTML template per name. */
export const EmailTemplates = [
  'email-verification',
  'password-reset',
  'org-invitation',
  'form-confirmation',
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

export const MaintenanceJob = Type.Object({
  task: Type.Union([Type.Literal('prune-outbox')]),
});
export type MaintenanceJob = Static<typeof MaintenanceJob>;

export const JobPayloads = {
  email: EmailJob,
  maintenance: MaintenanceJob,
} as const;

export type QueueName = keyof typeof JobPayloads;
export type JobPayload<Q extends QueueName> = Static<(typeof JobPayloads)[Q]>;
export const QueueNames = Object.keys(JobPayloads) as QueueName[];
