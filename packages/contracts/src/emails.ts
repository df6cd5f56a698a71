import { type Static, Type } from 'typebox';
import type { EmailTemplate } from './jobs.js';

/**
 * The data each email template reads. The email job's `data` stays a plain record (so the queue
 * contract does not change with every template); producers type their data with these, and the
 * mail package validates against them before rendering. Links are built by the templates from
 * PUBLIC_APP_URL (tokens in the fragment), so producers pass tokens and ids; extra fields (such
 * as a relative `link`) are allowed and ignored.
 */
const name = Type.Optional(Type.String({ maxLength: 200 }));
const token = Type.String({ minLength: 1, maxLength: 512 });
const id = Type.String({ minLength: 1, maxLength: 64 });

export const EmailTemplateData = {
  'email-verification': Type.Object({ name, token }),
  /** To the new address: the link that makes the change. */
  'email-change': Type.Object({ name, token }),
  /** To the old address: no link, only the fact and the address asked for. */
  'email-change-notice': Type.Object({ name, newEmail: Type.String({ maxLength: 320 }) }),
  'password-reset': Type.Object({ name, token }),
  'org-invitation': Type.Object({
    inviterName: Type.String({ maxLength: 200 }),
    organizationName: Type.String({ maxLength: 200 }),
    role: Type.Optional(Type.String({ maxLength: 50 })),
    token,
  }),
  'form-confirmation': Type.Object({ name, formName: Type.String({ maxLength: 200 }) }),
  /** The demo request's own confirmation: the slots as the sender proposed them, in their zone. */
  'demo-confirmation': Type.Object({
    name,
    service: Type.String({ maxLength: 200 }),
    timeZone: Type.String({ maxLength: 64 }),
    slots: Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 5 }),
  }),
  'sales-notification': Type.Object({
    formName: Type.String({ maxLength: 200 }),
    fromEmail: Type.String({ maxLength: 320 }),
    message: Type.String({ maxLength: 10_000 }),
    submissionId: id,
  }),
  'upload-finished': Type.Object({
    fileName: Type.String({ maxLength: 500 }),
    uploadId: id,
    outcome: Type.Union([Type.Literal('ready'), Type.Literal('rejected')]),
  }),
  'report-status-changed': Type.Object({
    reportTitle: Type.String({ maxLength: 500 }),
    reportId: id,
    status: Type.String({ maxLength: 50 }),
  }),
} satisfies Record<EmailTemplate, unknown>;

export type EmailData<T extends EmailTemplate> = Static<(typeof EmailTemplateData)[T]>;
