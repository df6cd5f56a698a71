import type { CrmSyncJob } from '@atrium/contracts';

export type CrmContact = Omit<CrmSyncJob, 'note' | 'deal'>;
export type CrmDeal = NonNullable<CrmSyncJob['deal']>;

/** The CRM as the worker sees it; every call either succeeds or throws an IntegrationError. */
export interface CrmClient {
  readonly name: string;
  /** Creates or updates the contact with this email; returns the CRM's id for it. */
  upsertContact(contact: CrmContact): Promise<{ id: string }>;
  /** The id of the contact with this email (a retried job that already upserted needs it). */
  findContactId(email: string): Promise<string>;
  /** Attaches a note to the contact. */
  addNote(contactId: string, body: string): Promise<void>;
  /** Opens a deal (in the client's configured pipeline and stage) associated with the contact. */
  createDeal(contactId: string, deal: CrmDeal): Promise<{ id: string }>;
}

interface InfoLogger {
  info(obj: object, msg?: string): void;
}

/** The default without HUBSPOT_TOKEN: says what it would have sent. */
export function logCrm(log: InfoLogger): CrmClient {
  return {
    name: 'log',
    async upsertContact(contact) {
      log.info({ email: contact.email }, 'crm (log): contact upsert not sent');
      return { id: `log:${contact.email}` };
    },
    async findContactId(email) {
      return `log:${email}`;
    },
    async addNote(contactId, body) {
      log.info({ contactId, length: body.length }, 'crm (log): note not sent');
    },
    async createDeal(contactId) {
      log.info({ contactId }, 'crm (log): deal not created');
      return { id: `log:deal:${contactId}` };
    },
  };
}
