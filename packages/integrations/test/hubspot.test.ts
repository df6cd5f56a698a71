import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hubspotCrm, IntegrationError, retryAfterMs } from '../src/crm/index.js';
import { type HubspotStub, startHubspotStub } from '../src/testing/index.js';

let stub: HubspotStub;
let waits: number[];
beforeEach(async () => {
  stub = await startHubspotStub();
  waits = [];
});
afterEach(() => stub.close());

/** A client on the stub whose sleeps are recorded, not slept: tests see waits, not clocks. */
const client = () =>
  hubspotCrm({
    token: 'pat-test-token',
    baseUrl: stub.url,
    retry: {
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
  });

describe('the HubSpot CRM client', () => {
  it('opens a deal in the configured pipeline and stage, associated with the contact', async () => {
    const crm = hubspotCrm({
      token: 'pat-test-token',
      baseUrl: stub.url,
      deal: { pipeline: 'sales-2', stage: 'qualified' },
    });
    const { id: contactId } = await crm.upsertContact({ email: 'ada@example.com' });
    const deal = await crm.createDeal(contactId, {
      name: 'Annotation for Acme',
      description: 'Budget: 10k',
    });
    expect(deal.id).toBe('9000');
    expect(stub.deals).toEqual([
      {
        id: '9000',
        contactId,
        properties: {
          dealname: 'Annotation for Acme',
          pipeline: 'sales-2',
          dealstage: 'qualified',
          description: 'Budget: 10k',
        },
      },
    ]);
  });

  it('fails a deal HubSpot refuses permanently', async () => {
    stub.faults.push({ status: 400, body: { message: 'Property values were not valid' } });
    const error = await client()
      .createDeal('1000', { name: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).permanent).toBe(true);
  });

  it('creates a contact that does not exist yet and attaches a note to it', async () => {
    const crm = client();
    const { id } = await crm.upsertContact({ email: 'ada@example.com', firstName: 'Ada' });
    await crm.addNote(id, 'asked for a quote');
    expect(stub.contacts.get('ada@example.com')?.properties).toEqual({
      email: 'ada@example.com',
      firstname: 'Ada',
    });
    expect(stub.notes).toEqual([{ body: 'asked for a quote', contactId: id }]);
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /crm/v3/objects/contacts/ada%40example.com',
      'POST /crm/v3/objects/contacts',
      'POST /crm/v3/objects/notes',
    ]);
  });

  it('updates an existing contact by email without creating another', async () => {
    const crm = client();
    const first = await crm.upsertContact({ email: 'ada@example.com', firstName: 'Ada' });
    const second = await crm.upsertContact({ email: 'ada@example.com', company: 'Engines' });
    expect(second.id).toBe(first.id);
    expect(stub.contacts.size).toBe(1);
    expect(stub.contacts.get('ada@example.com')?.properties.company).toBe('Engines');
  });

  it('waits what Retry-After asks after a 429, then succeeds', async () => {
    stub.faults.push({ status: 429, headers: { 'retry-after': '7' }, body: { message: 'slow' } });
    const { id } = await client().upsertContact({ email: 'ada@example.com' });
    expect(id).toBeTruthy();
    expect(waits).toEqual([7000]);
  });

  it('retries 5xx answers with exponential backoff', async () => {
    stub.faults.push({ status: 502 }, { status: 503 });
    await client().upsertContact({ email: 'ada@example.com' });
    expect(waits).toEqual([500, 1000]);
  });

  it('gives up after its tries with a retryable error, leaving the rest to the job retry', async () => {
    stub.faults.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const error = await client()
      .upsertContact({ email: 'ada@example.com' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).permanent).toBe(false);
    expect(stub.requests).toHaveLength(4);
  });

  it('fails a 400 validation error at once, as permanent, without retrying', async () => {
    stub.faults.push({
      status: 400,
      body: { status: 'error', message: 'Property "phone" is invalid' },
    });
    const error = await client()
      .upsertContact({ email: 'ada@example.com', phone: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).permanent).toBe(true);
    expect((error as Error).message).toContain('Property "phone" is invalid');
    expect(stub.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe('Retry-After', () => {
  it.each([
    ['3', 3000],
    ['0', 0],
    [null, undefined],
    ['soon', undefined],
  ])('reads %j as %j ms', (header, ms) => {
    expect(retryAfterMs(header)).toBe(ms);
  });
});
