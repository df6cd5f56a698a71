import type { Database } from '@atrium/db';
import { setLeadCrmContact } from '@atrium/db/queries';
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
 * Upserts the contact, then adds the note and opens the deal, each once per idempotency key: a
 * retry after the note failed does not upsert again, and looks the contact's id up instead. The
 * contact's id is stored on the lead with that email, for the lead's timeline and page.
 */
export const syncCrm =
  ({ db, crm }: CrmDeps): Processor<'crm-sync'> =>
  async ({ note, deal, ...contact }, ctx) => {
    const key = ctx.idempotencyKey;
    let contactId: string | undefined;
    const lease = { key, leaseMs: CRM_LEASE_MS };
    const knownContact = async () => {
      contactId ??= await crm.findContactId(contact.email);
      return contactId;
    };
    await permanentWhenRefused(async () => {
      await once(db, { kind: 'crm-upsert', ...lease }, async () => {
        contactId = (await crm.upsertContact(contact)).id;
        // A log-only CRM has no ids worth keeping.
        if (crm.name !== 'log') await setLeadCrmContact(db, contact.email, contactId);
      });
      if (note !== undefined) {
        await once(db, { kind: 'crm-note', ...lease }, async () => {
          await crm.addNote(await knownContact(), note);
        });
      }
      if (deal !== undefined) {
        await once(db, { kind: 'crm-deal', ...lease }, async () => {
          await crm.createDeal(await knownContact(), deal);
        });
      }
    });
    ctx.log.info({ jobId: ctx.jobId, crm: crm.name, contactId }, 'crm sync done');
  };
