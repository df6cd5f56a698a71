import { type Static, Type } from 'typebox';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.js';

export const Lead = Type.Object({
  id: Id,
  email: Type.String(),
  name: Nullable(Type.String()),
  company: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  consent: Type.Boolean(),
  consentAt: Nullable(Timestamp),
  hubspotContactId: Nullable(Type.String()),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
});
export type Lead = Static<typeof Lead>;
export const LeadPage = Page(Lead);

export const LeadQuery = Type.Object(
  {
    ...PageQuery.properties,
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Matches name, email or company by substring',
      }),
    ),
  },
  { additionalProperties: false },
);
export type LeadQuery = Static<typeof LeadQuery>;

/** What a timeline entry records. */
export const LeadEventKinds = ['form_submission', 'upload', 'email', 'crm_sync'] as const;
export type LeadEventKind = (typeof LeadEventKinds)[number];

/**
 * One entry of a lead's timeline, newest first. `status` is the entry's outcome: a submission's
 * `received`/`spam`, an upload's status, an email's or CRM sync's delivery (`queued`, `done`,
 * `logged`, `not_sent`, `failed`…). `ref` is the submission or upload it belongs to.
 */
export const LeadEvent = Type.Object({
  kind: Type.Enum(LeadEventKinds),
  at: Timestamp,
  ref: Id,
  status: Type.String(),
  summary: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type LeadEvent = Static<typeof LeadEvent>;
export const LeadTimeline = Type.Object({ lead: Lead, events: Type.Array(LeadEvent) });
export type LeadTimeline = Static<typeof LeadTimeline>;
