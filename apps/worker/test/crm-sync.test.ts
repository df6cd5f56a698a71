import { leads } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { upsertLead } from '@atrium/db/queries';
import { hubspotCrm, IntegrationError } from '@atrium/integrations/crm';
import { consoleTransport } from '@atrium/integrations/mail';
import { type HubspotStub, startHubspotStub } from '@atrium/integrations/testing';
import { openQueues } from '@atrium/jobs/bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProcessors, startWorker } from '../src/index.js';
import {
  context,
  enqueueOne,
  log,
  testDatabase,
  testUploadDeps,
  unique,
  workerConfig,
} from './support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
let stub: HubspotStub;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.dispose());
beforeEach(async () => {
  stub = await startHubspotStub();
});
afterEach(() => stub.close());

const hubspotEnv = () => ({ HUBSPOT_TOKEN: 'pat-test-token', HUBSPOT_BASE_URL: stub.url });

/** Starts a worker on BullMQ against the stub and reads the job back when it settles. */
async function runOnBullmq(email: string, note: string, env: Record<string, string> = {}) {
  const config = workerConfig({ ...hubspotEnv(), ...env });
  const worker = await startWorker({ config, database, log, retryBaseDelayMs: 20 });
  const readers = openQueues(config.redisUrl!, config.queuePrefix, ['crm-sync']);
  try {
    const id = await enqueueOne(database, 'crm-sync', { email, note });
    return await vi.waitFor(
      async () => {
        const queue = readers.queues[0]!;
        const state = await queue.getJobState(id);
        expect(['completed', 'failed']).toContain(state);
        // Read the job after its state: a copy read before could predate the attempt that settled it.
        const job = (await queue.getJob(id))!;
        return { state, attemptsMade: job.attemptsMade, failedReason: job.failedReason };
      },
      { timeout: 15_000, interval: 100 },
    );
  } finally {
    await readers.close();
    await worker.close();
  }
}

describe('the crm-sync processor', () => {
  it('upserts the contact and adds the note once when the job is delivered twice', async () => {
    const { 'crm-sync': sync } = createProcessors({
      db: database.db,
      mail: consoleTransport(log, { withBodies: false }),
      crm: hubspotCrm({ token: 'pat-test-token', baseUrl: stub.url }),
      publicAppUrl: 'https://app.example.com',
      uploads: testUploadDeps(),
    });
    const key = unique();
    const job = { email: 'ada@example.com', firstName: 'Ada', note: 'wants a demo' };
    await sync(job, context('crm-sync', key));
    await sync(job, { ...context('crm-sync', key), attempt: 2 });
    expect(stub.requests.filter((r) => r.method !== 'GET')).toHaveLength(3);
    expect(stub.notes).toEqual([{ body: 'wants a demo', contactId: '1000' }]);
  });
});

describe('the crm-sync processor with a deal', () => {
  const processors = (deal = { pipeline: 'default', stage: 'appointmentscheduled' }) =>
    createProcessors({
      db: database.db,
      mail: consoleTransport(log, { withBodies: false }),
      crm: hubspotCrm({ token: 'pat-test-token', baseUrl: stub.url, deal }),
      publicAppUrl: 'https://app.example.com',
      uploads: testUploadDeps(),
    });

  it('opens the deal once in the configured pipeline and stores the contact id on the lead', async () => {
    const email = `quote-${unique()}@example.com`;
    await upsertLead(database.db, { email: email.toUpperCase() });
    const { 'crm-sync': sync } = processors({ pipeline: 'p-1', stage: 's-1' });
    const key = unique();
    const job = { email, note: 'quote', deal: { name: 'Annotation for Acme' } };
    await sync(job, context('crm-sync', key));
    await sync(job, { ...context('crm-sync', key), attempt: 2 });
    expect(stub.deals).toEqual([
      {
        id: '9000',
        contactId: '1000',
        properties: { dealname: 'Annotation for Acme', pipeline: 'p-1', dealstage: 's-1' },
      },
    ]);
    expect(stub.notes).toHaveLength(1);
    const [lead] = await database.db.select().from(leads).where(eq(leads.email, email));
    expect(lead!.hubspotContactId).toBe('1000');
  });

  it('opens the deal on a retry after it failed, looking the contact up instead of upserting again', async () => {
    const hubspot = hubspotCrm({ token: 'pat-test-token', baseUrl: stub.url });
    let refusals = 1;
    // HubSpot itself, except that the first deal fails as a dropped connection would.
    const crm = {
      ...hubspot,
      createDeal: async (...args: Parameters<typeof hubspot.createDeal>) => {
        if (refusals-- > 0) throw new IntegrationError('connection reset', false);
        return hubspot.createDeal(...args);
      },
    };
    const { 'crm-sync': sync } = createProcessors({
      db: database.db,
      mail: consoleTransport(log, { withBodies: false }),
      crm,
      uploads: testUploadDeps(),
      publicAppUrl: 'https://app.example.com',
    });
    const key = unique();
    const job = { email: `retry-${unique()}@example.com`, deal: { name: 'Deal' } };
    await expect(sync(job, context('crm-sync', key))).rejects.toThrow('connection reset');
    await sync(job, { ...context('crm-sync', key), attempt: 2 });
    expect(stub.requests.map((r) => r.method)).toEqual(['PATCH', 'POST', 'GET', 'POST']);
    expect(stub.deals).toHaveLength(1);
  });
});

describe('crm-sync through the worker on BullMQ', () => {
  it('completes after a 429, having waited what Retry-After asked', async () => {
    stub.faults.push({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow' } });
    const outcome = await runOnBullmq('grace@example.com', 'called');
    expect(outcome.state).toBe('completed');
    expect(outcome.attemptsMade).toBe(1);
    expect(stub.requests[0]).toMatchObject({ method: 'PATCH' });
    expect(stub.notes).toHaveLength(1);
  });

  it('fails a HubSpot 400 at once, with its error, without spending the other attempts', async () => {
    stub.faults.push({ status: 400, body: { message: 'Property values were not valid' } });
    const outcome = await runOnBullmq('alan@example.com', 'x', { JOB_ATTEMPTS: '5' });
    expect(outcome.state).toBe('failed');
    expect(outcome.attemptsMade).toBe(1);
    expect(outcome.failedReason).toContain('Property values were not valid');
    expect(stub.requests).toHaveLength(1);
  });
});
