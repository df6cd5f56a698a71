import { FormTypes } from '@atrium/contracts';
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, id, instant } from './columns.js';
import { leads } from './leads.js';

/**
 * One submission of a website form (SPEC §4.6), stored before anything is sent. A spam
 * submission (honeypot filled) has no lead: it is kept for review with its email, and erasure
 * finds it by that email. `payload` is the form as received, minus the captcha token and the
 * honeypot; `body_hash` is what an `Idempotency-Key` replay is compared against.
 */
export const formSubmissions = pgTable(
  'form_submissions',
  {
    id: id(),
    type: text({ enum: FormTypes }).notNull(),
    leadId: uuid().references(() => leads.id, { onDelete: 'cascade' }),
    /** Normalized like the lead's email. */
    email: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    spam: boolean().notNull().default(false),
    ip: text().notNull(),
    userAgent: text(),
    idempotencyKey: text(),
    bodyHash: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('form_submissions_idempotency_key_unique').on(t.idempotencyKey),
    // The list's keyset (newest first), with ?type and ?from/?to.
    index('form_submissions_created_idx').on(t.createdAt, t.id),
    index('form_submissions_type_created_idx').on(t.type, t.createdAt, t.id),
    index('form_submissions_lead_idx').on(t.leadId),
    index('form_submissions_email_idx').on(t.email).where(sql`${t.leadId} is null`),
  ],
);
export type FormSubmissionRow = typeof formSubmissions.$inferSelect;

/**
 * That an erasure happened, without the personal data it erased: who asked, when, and how much
 * went (the lead's id is a random UUID, meaningless once the lead is gone).
 */
export const leadErasures = pgTable('lead_erasures', {
  id: id(),
  leadId: uuid().notNull(),
  actorId: uuid(),
  submissions: integer().notNull(),
  uploads: integer().notNull(),
  erasedAt: instant().notNull().defaultNow(),
});
