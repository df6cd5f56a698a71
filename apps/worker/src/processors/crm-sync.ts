import type { Database } from '@atrium/db';
import type { CrmClient } from '@atrium/integrations/crm';
import { once, type Processor } from '@atrium/jobs';
import { permanentWhenRefused } from './refusals.js';

/** Covers the HubSpot client's own retries (4 tries, waits up to 30 s). */
const CRM_LEASE_MS = 180_000;

export interface CrmDeps {
  db: Database;
  crm: CrmClient;
}

/**
 * Upserts the contact, then adds the note, each once per idempotency key: a retry after the
 * note failed does not upsert again, and looks the contact's id up instead.
 */
export const syncCrm =
  ({ db, crm }: CrmDeps): Processor<'crm-sync'> =>
  async ({ note, ...contact }, ctx) => {
    const key = ctx.idempotencyKey;
    let contactId: string | undefined;
    await permanentWhenRefused(async () => {
      await once(db, { kind: 'crm-upsert', key, leaseMs: CRM_LEASE_MS }, async () => {
        contactId = (await crm.upsertContact(contact)).id;
      });
      if (note === undefined) return;
      await once(db, { kind: 'crm-note', key, leaseMs: CRM_LEASE_MS }, async () => {
        contactId ??= await crm.findContactId(contact.email);
        await crm.addNote(contactId, note);
      });
    });
    ctx.log.info({ jobId: ctx.jobId, crm: crm.name, contactId }, 'crm sync done');
  };
