import { type FormFollowup, FormFollowups } from '@atrium/contracts';
import { type SQLWrapper, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
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

/** A contact's values as the lead stores them: the email normalized, empty fields absent. */
export const leadValues = (contact: LeadContact) => ({
  email: normalizeEmail(contact.email),
  name: contact.name || null,
  company: contact.company || null,
  phone: contact.phone || null,
  consent: contact.consent ?? false,
});
type LeadValues = { [K in keyof ReturnType<typeof leadValues>]: unknown };

/**
 * The lead upsert's rules, as a statement to run or to embed (a form submission runs it as the
 * first step of one statement, with placeholders for `values`). `consentGiven`: the form asked,
 * so its answer replaces the stored consent; otherwise the stored one stays. A field the contact
 * left empty never erases what an earlier submission gave.
 */
export function leadUpsert(db: Database, id: unknown, values: LeadValues, consentGiven: boolean) {
  return db
    .insert(leads)
    .values({
      ...(values as ReturnType<typeof leadValues>),
      // Explicit: a default computed in JS would be frozen into a prepared statement.
      id: id as string,
      consentAt: consentGiven ? sql`now()` : null,
    })
    .onConflictDoUpdate({
      target: leads.email,
      set: {
        name: sql`coalesce(excluded.name, ${leads.name})`,
        company: sql`coalesce(excluded.company, ${leads.company})`,
        phone: sql`coalesce(excluded.phone, ${leads.phone})`,
        ...(consentGiven
          ? {
              consent: sql`excluded.consent`,
              consentAt: sql`case when ${leads.consent} is distinct from excluded.consent
                then now() else ${leads.consentAt} end`,
            }
          : {}),
        lastSeenAt: sql`now()`,
        updatedAt: sql`now()`,
      },
    });
}

/**
 * Records that `contact` was heard from, in the caller's transaction (upload requests call it
 * beside their own insert): creates the lead or refreshes it.
 */
export async function upsertLead(tx: Database, contact: LeadContact): Promise<LeadRow> {
  const consentGiven = contact.consent !== undefined;
  const [row] = await leadUpsert(tx, uuidv7(), leadValues(contact), consentGiven).returning();
  return row!;
}

/**
 * Records the CRM's id for the lead with this email, once a crm-sync upserted the contact (the
 * job carries the email, not the lead: uploads and forms share it). No lead (erased since): no-op.
 */
export async function setLeadCrmContact(db: Database, email: string, contactId: string) {
  await db
    .update(leads)
    .set({ hubspotContactId: contactId, updatedAt: sql`now()` })
    .where(
      sql`${leads.email} = ${normalizeEmail(email)} and ${leads.hubspotContactId} is distinct from ${contactId}`,
    );
}

/**
 * The jobs a form submission queues (`form-followup`, one per effect), each keyed
 * `form:<submissionId>:<job>`: the lead's timeline and erasure find them (and their deliveries,
 * keyed the same) by these exact keys.
 */
export const FORM_JOBS = FormFollowups;
export type FormJob = FormFollowup;
/** The key prefixes of a lead's jobs: made only here, read by the timeline, erasure and retention. */
export const FORM_JOB_PREFIX = 'form:';
export const UPLOAD_JOB_PREFIX = 'upload:';
export const formJobKey = (submissionId: string, job: FormJob) =>
  `${FORM_JOB_PREFIX}${submissionId}:${job}`;

/** The same for an upload's jobs (`upload:<uploadId>:<job>`): the outcome email and the CRM note. */
export const UPLOAD_JOBS = ['finished', 'crm'] as const;
export type UploadJob = (typeof UPLOAD_JOBS)[number];
export const uploadJobKey = (uploadId: string, job: UploadJob) =>
  `${UPLOAD_JOB_PREFIX}${uploadId}:${job}`;

/**
 * A job key (outbox or deliveries) a lead's timeline shows: the jobs' retention leaves these rows
 * to the lead's erasure, or a week-old lead's timeline would lose its emails and CRM syncs.
 */
export const onLeadTimeline = (key: SQLWrapper) =>
  sql`(${key} like ${`${FORM_JOB_PREFIX}%`} or ${key} like ${`${UPLOAD_JOB_PREFIX}%`})`;
