import { services } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { upsertContentfulEntry } from '@atrium/db/queries';
import { createTestDatabase } from '@atrium/db/testing';
import { bumpContentGeneration } from '@atrium/integrations/cms';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { bearer, signUp, type TestApp } from './auth-support.js';
import { TEST_REDIS_URL, testConfig } from './support.js';

// Two API instances on one database and one Redis, as behind a load balancer.
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let a: TestApp;
let b: TestApp;
let redis: Redis;
let editor: Record<string, string>;
const env = () => ({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL });
let prefix: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = testConfig(env());
  prefix = config.queuePrefix;
  a = Object.assign(await buildApp(config), { dispose: async () => {} });
  b = Object.assign(await buildApp(config), { dispose: async () => {} });
  await Promise.all([a.ready(), b.ready()]);
  redis = new Redis(TEST_REDIS_URL);
  editor = bearer((await signUp(a, { permissions: ['content:write'] })).accessToken);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  if (redis) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await database?.drop();
});

const titles = async (app: TestApp) => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/services' });
  expect(res.statusCode).toBe(200);
  return res.json().items.map((s: { title: string }) => s.title) as string[];
};

const create = async (slug: string, title: string) => {
  const res = await a.inject({
    method: 'POST',
    url: '/api/v1/services',
    headers: editor,
    payload: { slug, title, published: true },
  });
  expect(res.statusCode, res.body).toBe(201);
};

describe('the content cache shared through Redis', () => {
  it('serves another instance what one rendered (the database is not read again)', async () => {
    await create('shared', 'Shared');
    expect(await titles(a)).toEqual(['Shared']);
    // Changed behind the API's back (no invalidation): a cached answer cannot see it.
    await a.db
      .update(services)
      .set({ title: 'Changed quietly' })
      .where(eq(services.slug, 'shared'));
    expect(await titles(b)).toEqual(['Shared']);
    const keys = await redis.keys(`${prefix}:content:*`);
    expect(keys).toContain(`${prefix}:content:generation`);
    expect(keys.some((k) => k.includes(':list:services:'))).toBe(true);
    for (const key of keys.filter((k) => !k.endsWith(':generation'))) {
      expect(await redis.ttl(key)).toBeGreaterThan(0);
    }
  });

  it('a write on one instance is seen by the other', async () => {
    const before = await b.inject({ method: 'GET', url: '/api/v1/services' });
    await create('second', 'Second');
    await expect.poll(() => titles(b)).toEqual(['Changed quietly', 'Second']);
    const after = await b.inject({
      method: 'GET',
      url: '/api/v1/services',
      headers: { 'if-none-match': before.headers.etag as string },
    });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('a sync (rows written and the generation bumped, as the worker does) is seen by both', async () => {
    expect(await titles(a)).not.toContain('From Contentful');
    expect(await titles(b)).not.toContain('From Contentful');
    await a.db.transaction((tx) =>
      upsertContentfulEntry(tx, 'services', {
        contentfulId: 'entry-1',
        slug: 'synced',
        title: 'From Contentful',
        summary: null,
        body: '',
        bodyHtml: '',
        heroImageUrl: null,
        seoTitle: null,
        seoDescription: null,
        position: 9,
        publishedAt: new Date(),
      }),
    );
    await bumpContentGeneration(redis, prefix);
    await expect.poll(() => titles(a)).toContain('From Contentful');
    await expect.poll(() => titles(b)).toContain('From Contentful');
  });
});

describe('with Contentful as the source', () => {
  it('refuses local writes with 409 and a problem saying where to edit', async () => {
    const app = await buildApp(
      testConfig({
        ...env(),
        CMS: 'contentful',
        CONTENTFUL_SPACE_ID: 'space1',
        CONTENTFUL_DELIVERY_TOKEN: 'delivery-token-1',
      }),
    );
    try {
      const writer = bearer(
        (
          await signUp(Object.assign(app, { dispose: async () => {} }), {
            permissions: ['content:write'],
          })
        ).accessToken,
      );
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/services',
        headers: writer,
        payload: { slug: 'local', title: 'Local' },
      });
      expect(created.statusCode).toBe(409);
      expect(created.headers['content-type']).toContain('application/problem+json');
      expect(created.json().detail).toContain('Contentful');
      for (const method of ['PATCH', 'DELETE'] as const) {
        const res = await app.inject({
          method,
          url: '/api/v1/services/synced',
          headers: writer,
          ...(method === 'PATCH' ? { payload: { title: 'X' } } : {}),
        });
        expect(res.statusCode).toBe(409);
      }
      // Reads go on.
      expect((await app.inject({ method: 'GET', url: '/api/v1/services/synced' })).statusCode).toBe(
        200,
      );
    } finally {
      await app.close();
    }
  });
});

describe('with Redis unreachable', () => {
  it('still writes and serves content (read through to the database)', async () => {
    const app = await buildApp(testConfig({ ...env(), REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      const writer = bearer(
        (
          await signUp(Object.assign(app, { dispose: async () => {} }), {
            permissions: ['content:write'],
          })
        ).accessToken,
      );
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/impact-stories',
        headers: writer,
        payload: { slug: 'offline', title: 'Offline', published: true },
      });
      expect(created.statusCode, created.body).toBe(201);
      const read = await app.inject({ method: 'GET', url: '/api/v1/impact-stories' });
      expect(read.statusCode).toBe(200);
      expect(read.json().items.map((s: { slug: string }) => s.slug)).toEqual(['offline']);
      const again = await app.inject({
        method: 'GET',
        url: '/api/v1/impact-stories',
        headers: { 'if-none-match': read.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
    } finally {
      await app.close();
    }
  });
});
