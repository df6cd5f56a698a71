import { hubspotCrm } from '@atrium/integrations/crm';
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
        const job = await readers.queues[0]!.getJob(id);
        const state = await job?.getState();
        expect(['completed', 'failed']).toContain(state);
        return { state, attemptsMade: job!.attemptsMade, failedReason: job!.failedReason };
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
