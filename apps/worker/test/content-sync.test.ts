import { loadConfig } from '@atrium/config';
import { caseStudies, contentSyncState, impactStories, services, teamMembers } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { contentGeneration } from '@atrium/integrations/cms';
import {
  type ContentfulStub,
  startContentfulStub,
  stubDeletedEntry,
  stubEntry,
  stubLink,
} from '@atrium/integrations/testing';
import { PermanentJobError } from '@atrium/jobs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorker } from '../src/index.js';
import { syncContent } from '../src/processors/content-sync.js';
import { repeatingJobsFor } from '../src/queues.js';
import {
  context,
  enqueueOne,
  log,
  TEST_REDIS_URL,
  testDatabase,
  unique,
  workerConfig,
} from './support.js';

const SPACE = 'space1';
const ENVIRONMENT = 'master';
const TOKEN = 'delivery-token-1';

let database: Awaited<ReturnType<typeof testDatabase>>;
let stub: ContentfulStub;
let invalidations = 0;

beforeAll(async () => {
  database = await testDatabase();
  stub = await startContentfulStub({ spaceId: SPACE, environment: ENVIRONMENT, token: TOKEN });
});
afterAll(async () => {
  await stub?.close();
  await database?.dispose();
});

const contentful = (token = TOKEN) => ({
  spaceId: SPACE,
  environment: ENVIRONMENT,
  accessToken: token,
  host: stub.url,
  locale: 'en-US',
});

const run = (token = TOKEN) =>
  syncContent({
    db: database.db,
    contentful: contentful(token),
    contentChanged: async () => {
      invalidations += 1;
    },
  })({}, context('content-sync', unique()));

const syncState = async () => (await database.db.select().from(contentSyncState))[0];

describe('the content-sync job', () => {
  it('does the initial sync page by page, linking a case study to a service from a later page', async () => {
    stub.pages.set('initial', {
      items: [
        stubEntry('case-1', 'caseStudy', {
          slug: 'retail-case',
          title: 'Retail case',
          industry: 'retail',
          service: stubLink('svc-1'),
          body: 'Read **this**',
        }),
        stubEntry('other-1', 'someOtherType', { slug: 'ignored', title: 'Ignored' }),
      ],
      nextPage: 'page-2',
    });
    stub.pages.set('page-2', {
      items: [
        stubEntry('svc-1', 'service', { slug: 'analytics', title: 'Analytics', order: 2 }),
        stubEntry('team-1', 'teamMember', { slug: 'grace', name: 'Grace', role: 'Engineer' }),
        stubEntry('story-1', 'impactStory', {
          slug: 'story',
          title: 'Story',
          body: {
            nodeType: 'document',
            data: {},
            content: [
              {
                nodeType: 'paragraph',
                data: {},
                content: [
                  { nodeType: 'text', value: '<script>alert(1)</script>Hi', marks: [], data: {} },
                ],
              },
            ],
          },
        }),
      ],
      nextSync: 'sync-1',
    });
    const before = invalidations;
    await run();

    expect(stub.requests.map((r) => r.query)).toEqual([
      { initial: 'true' },
      { sync_token: 'page-2' },
    ]);
    const [service] = await database.db
      .select()
      .from(services)
      .where(eq(services.slug, 'analytics'));
    expect(service).toMatchObject({
      title: 'Analytics',
      source: 'contentful',
      published: true,
      position: 2,
    });
    const [study] = await database.db.select().from(caseStudies);
    expect(study).toMatchObject({
      slug: 'retail-case',
      serviceId: service!.id,
      industry: 'retail',
    });
    expect(study!.bodyHtml).toContain('<strong>this</strong>');
    const [story] = await database.db.select().from(impactStories);
    expect(story!.bodyHtml).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;Hi</p>');
    expect(await database.db.select().from(teamMembers)).toMatchObject([
      { slug: 'grace', title: 'Grace', role: 'Engineer' },
    ]);
    expect(await syncState()).toMatchObject({ nextSyncToken: 'sync-1', nextPageToken: null });
    expect(invalidations).toBe(before + 1);
  });

  it('applies a delta from the stored token: an update and a deletion', async () => {
    stub.pages.set('sync-1', {
      items: [
        stubEntry('svc-1', 'service', { slug: 'analytics', title: 'Analytics, renamed' }),
        stubDeletedEntry('team-1'),
      ],
      nextSync: 'sync-2',
    });
    stub.requests.length = 0;
    const before = invalidations;
    await run();
    expect(stub.requests.map((r) => r.query)).toEqual([{ sync_token: 'sync-1' }]);
    const rows = await database.db.select().from(services);
    expect(rows.map((r) => r.title)).toEqual(['Analytics, renamed']);
    expect(await database.db.select().from(teamMembers)).toEqual([]);
    // The case study still points at the same service row (updated in place, not re-created).
    const [study] = await database.db.select().from(caseStudies);
    expect(study!.serviceId).toBe(rows[0]!.id);
    expect(await syncState()).toMatchObject({ nextSyncToken: 'sync-2' });
    expect(invalidations).toBe(before + 1);
  });

  it('waits out a 429 as X-Contentful-RateLimit-Reset asks, then goes on', async () => {
    stub.pages.set('sync-2', { items: [], nextSync: 'sync-3' });
    stub.faults.push({
      status: 429,
      headers: { 'x-contentful-ratelimit-reset': '1' },
      body: { sys: { type: 'Error', id: 'RateLimitExceeded' } },
    });
    stub.requests.length = 0;
    const before = invalidations;
    await run();
    expect(stub.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(stub.requests[1]!.query).toEqual({ sync_token: 'sync-2' });
    expect(await syncState()).toMatchObject({ nextSyncToken: 'sync-3' });
    // Nothing changed: the cache is left alone.
    expect(invalidations).toBe(before);
  });

  it('fails permanently on a refused token, keeping the stored token', async () => {
    await expect(run('wrong-token-123')).rejects.toBeInstanceOf(PermanentJobError);
    expect(await syncState()).toMatchObject({ nextSyncToken: 'sync-3' });
  });

  it('does nothing when CMS is not contentful', async () => {
    stub.requests.length = 0;
    await syncContent({ db: database.db })({}, context('content-sync', unique()));
    expect(stub.requests).toEqual([]);
  });
});

describe('the content-sync schedule', () => {
  it('runs only with CMS=contentful, every CONTENT_SYNC_EVERY_MS', () => {
    const local = loadConfig({ NODE_ENV: 'test' });
    expect(repeatingJobsFor(local).some((job) => job.queue === 'content-sync')).toBe(false);
    const synced = loadConfig({
      NODE_ENV: 'test',
      CMS: 'contentful',
      CONTENTFUL_SPACE_ID: SPACE,
      CONTENTFUL_DELIVERY_TOKEN: TOKEN,
      CONTENT_SYNC_EVERY_MS: '60000',
    });
    expect(repeatingJobsFor(synced).filter((job) => job.queue === 'content-sync')).toEqual([
      { queue: 'content-sync', name: 'contentful', payload: {}, everyMs: 60_000 },
    ]);
  });

  it('refuses CMS=contentful without a space and a token', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', CMS: 'contentful' })).toThrow(
      /CONTENTFUL_SPACE_ID and CONTENTFUL_DELIVERY_TOKEN/,
    );
  });
});

describe.each([
  ['BullMQ', { REDIS_URL: TEST_REDIS_URL }],
  ['in-process', {}],
])('the worker on %s', (name, env) => {
  it('runs a content-sync job and invalidates the API cache generation', async () => {
    const space = `space${unique()}`;
    const own = await startContentfulStub({ spaceId: space, environment: 'master', token: TOKEN });
    own.pages.set('initial', {
      items: [stubEntry(`svc-${name}`, 'service', { slug: `svc-${unique()}`, title: name })],
      nextSync: 'next',
    });
    const config = workerConfig({
      ...env,
      CMS: 'contentful',
      CONTENTFUL_SPACE_ID: space,
      CONTENTFUL_DELIVERY_TOKEN: TOKEN,
      CONTENTFUL_HOST: own.url,
    });
    const redis = config.redisUrl ? new Redis(config.redisUrl) : undefined;
    const generation = () => contentGeneration(redis, config.queuePrefix);
    const before = await generation();
    const worker = await startWorker({ config, database, log, repeating: [] });
    try {
      await enqueueOne(database, 'content-sync', {});
      await vi.waitFor(
        async () => {
          const [row] = await database.db
            .select()
            .from(contentSyncState)
            .where(eq(contentSyncState.source, `${space}/master`));
          expect(row?.nextSyncToken).toBe('next');
        },
        { timeout: 15_000 },
      );
      await vi.waitFor(async () => expect(await generation()).toBeGreaterThan(before), {
        timeout: 5_000,
      });
      expect(
        await database.db.select().from(services).where(eq(services.title, name)),
      ).toHaveLength(1);
    } finally {
      await worker.close();
      await own.close();
      redis?.disconnect();
    }
  });
});
