import { IntegrationError } from '../errors.js';
import { type RetryingFetchOptions, realSleep, retryingFetch } from './http.js';
import type { CrmClient, CrmContact } from './types.js';

export interface HubspotOptions {
  token: string;
  /** https://api.hubapi.com; tests point it at a local stub. */
  baseUrl: string;
  retry?: Partial<RetryingFetchOptions>;
  /** Where `createDeal` opens deals: HUBSPOT_DEAL_PIPELINE and HUBSPOT_DEAL_STAGE. */
  deal?: { pipeline: string; stage: string };
}

/** HubSpot's default association types "note → contact" and "deal → contact". */
const NOTE_TO_CONTACT = 202;
const DEAL_TO_CONTACT = 3;

const associateWith = (contactId: string, associationTypeId: number) => [
  {
    to: { id: contactId },
    types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId }],
  },
];

/**
 * HubSpot over its public v3 REST API. Contacts are upserted by email: PATCH with
 * `idProperty=email`, and on 404 a create (a 409 there means another writer created it first,
 * so the PATCH is tried again). 4xx answers other than 404/409 are permanent failures.
 */
export function hubspotCrm(options: HubspotOptions): CrmClient {
  const retry: RetryingFetchOptions = {
    tries: 4,
    baseDelayMs: 500,
    maxWaitMs: 30_000,
    sleep: realSleep,
    ...options.retry,
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await retryingFetch(
      `${options.baseUrl}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      retry,
    );
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, json };
  };
  const byEmail = (email: string) =>
    `/crm/v3/objects/contacts/${encodeURIComponent(email)}?idProperty=email`;

  return {
    name: 'hubspot',
    async upsertContact(contact) {
      const properties = contactProperties(contact);
      const update = () => call('PATCH', byEmail(contact.email), { properties });
      let answer = await update();
      if (answer.status === 404) {
        answer = await call('POST', '/crm/v3/objects/contacts', { properties });
        if (answer.status === 409) answer = await update();
      }
      return { id: idOf(expectOk(answer, 'contact upsert')) };
    },
    async findContactId(email) {
      return idOf(expectOk(await call('GET', byEmail(email)), 'contact lookup'));
    },
    async addNote(contactId, body) {
      const note = {
        properties: { hs_timestamp: new Date().toISOString(), hs_note_body: body },
        associations: associateWith(contactId, NOTE_TO_CONTACT),
      };
      expectOk(await call('POST', '/crm/v3/objects/notes', note), 'note');
    },
    async createDeal(contactId, deal) {
      const { pipeline, stage } = options.deal ?? {
        pipeline: 'default',
        stage: 'appointmentscheduled',
      };
      const properties: Record<string, string> = {
        dealname: deal.name,
        pipeline,
        dealstage: stage,
        ...(deal.description ? { description: deal.description } : {}),
      };
      const body = { properties, associations: associateWith(contactId, DEAL_TO_CONTACT) };
      return { id: idOf(expectOk(await call('POST', '/crm/v3/objects/deals', body), 'deal')) };
    },
  };
}

function contactProperties(contact: CrmContact): Record<string, string> {
  const properties: Record<string, string | undefined> = {
    email: contact.email,
    firstname: contact.firstName,
    lastname: contact.lastName,
    company: contact.company,
    phone: contact.phone,
  };
  return Object.fromEntries(
    Object.entries(properties).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

type Answer = { status: number; json: Record<string, unknown> };

/** A 2xx passes; any other answer here is one HubSpot will give again: a permanent failure. */
function expectOk(answer: Answer, what: string): Answer {
  if (answer.status >= 200 && answer.status < 300) return answer;
  const message = typeof answer.json.message === 'string' ? answer.json.message : 'no message';
  throw new IntegrationError(`HubSpot refused the ${what} (${answer.status}): ${message}`, true);
}

function idOf(answer: Answer): string {
  if (typeof answer.json.id !== 'string') {
    throw new IntegrationError('HubSpot answered without an object id', false);
  }
  return answer.json.id;
}
