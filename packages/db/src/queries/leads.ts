import { sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { type LeadRow, leads } from '../schema/index.js';

/** One person, one lead: emails are compared trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export interface LeadContact {
  email: string;
  name?: string | null;
  company?: string | null;
  phone?: string | null;
  /** Given only when the form asked; an absent answer leaves the stored consent alone. */
  consent?: boolean;
}

/**
 * Records that `contact` was heard from, in the caller's transaction (form submissions and upload
 * requests call it beside their own insert): creates the lead or refreshes it. A field the
 * contact left empty never erases what an earlier submission gave.
 */
export async function upsertLead(tx: Database, contact: LeadContact): Promise<LeadRow> {
  const values = {
    email: normalizeEmail(contact.email),
    name: contact.name || null,
    company: contact.company || null,
    phone: contact.phone || null,
    consent: contact.consent ?? false,
    consentAt: contact.consent === undefined ? null : sql`now()`,
  };
  const [row] = await tx
    .insert(leads)
    .values(values)
    .onConflictDoUpdate({
      target: leads.email,
      set: {
        name: sql`coalesce(excluded.name, ${leads.name})`,
        company: sql`coalesce(excluded.company, ${leads.company})`,
        phone: sql`coalesce(excluded.phone, ${leads.phone})`,
        ...(contact.consent === undefined
          ? {}
          : {
              consent: contact.consent,
              consentAt: sql`case when ${leads.consent} is distinct from excluded.consent
                then now() else ${leads.consentAt} end`,
            }),
        lastSeenAt: sql`now()`,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return row!;
}
