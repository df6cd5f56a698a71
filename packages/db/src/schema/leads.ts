import { sql } from 'drizzle-orm';
import { type AnyPgColumn, boolean, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, instant } from './columns.js';

/** What `GET /leads?q=` matches (by trigram substring); the index is built on the same expression. */
export const leadSearchText = (t: {
  name: AnyPgColumn;
  email: AnyPgColumn;
  company: AnyPgColumn;
}) => sql`(coalesce(${t.name}, '') || ' ' || ${t.email} || ' ' || coalesce(${t.company}, ''))`;

/**
 * A person the website heard from: every form submitter and every uploader, one row per
 * normalized email (trimmed, lower-cased). Form submissions and uploads point here; the
 * lead's timeline is read from them. Erasure deletes the row and everything pointing at it.
 */
export const leads = pgTable(
  'leads',
  {
    id: id(),
    /** Normalized: trimmed and lower-cased, so one person is one lead. */
    email: text().notNull(),
    name: text(),
    company: text(),
    phone: text(),
    /** Marketing consent as last given; `consentAt` says when it was last changed. */
    consent: boolean().notNull().default(false),
    consentAt: instant(),
    /** The CRM contact, once a crm-sync has upserted it. */
    hubspotContactId: text(),
    firstSeenAt: createdAt(),
    lastSeenAt: instant().notNull().defaultNow(),
    updatedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('leads_email_unique').on(t.email),
    // The lead list's default order and its keyset.
    index('leads_last_seen_idx').on(t.lastSeenAt, t.id),
    // `GET /leads?q=` matches name, email and company by substring.
    index('leads_search_idx').using('gin', sql`${leadSearchText(t)} gin_trgm_ops`),
  ],
);
export type LeadRow = typeof leads.$inferSelect;
