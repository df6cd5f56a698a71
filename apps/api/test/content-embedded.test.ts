import { services } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { bumpContentGeneration } from '@atrium/integrations/cms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { bearer, signUp, type TestApp } from './auth-support.js';
import { testConfig } from './support.js';

// The embedded default: PGlite, no Redis; the cache lives in this process, and the worker (in the
// same process) invalidates it through the process's own generation counter.
let app: TestApp;
let editor: Record<string, string>;

beforeAll(async () => {
  const config = testConfig();
  expect(config.redisUrl).toBeUndefined();
  app = Object.assign(await buildApp(config), { dispose: async () => {} });
  editor = bearer((await signUp(app, { permissions: ['content:write'] })).accessToken);
});
afterAll(() => app?.close());

const list = (headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: '/api/v1/services', headers });

describe('content on the embedded default', () => {
  it('caches, answers 304, and sees its own writes at once', async () => {
    expect(app.database.kind).toBe('pglite');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/services',
      headers: editor,
      payload: { slug: 'embedded', title: 'Embedded', published: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    const first = await list();
    expect(first.json().items.map((s: { slug: string }) => s.slug)).toEqual(['embedded']);
    expect((await list({ 'if-none-match': first.headers.etag as string })).statusCode).toBe(304);
    await app.inject({
      method: 'PATCH',
      url: '/api/v1/services/embedded',
      headers: editor,
      payload: { title: 'Renamed' },
    });
    const after = await list({ 'if-none-match': first.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(after.json().items[0].title).toBe('Renamed');
  });

  it('serves from the cache until the in-process generation moves (as a sync does)', async () => {
    expect((await list()).json().items[0].title).toBe('Renamed');
    await app.db.update(services).set({ title: 'Synced' }).where(eq(services.slug, 'embedded'));
    expect((await list()).json().items[0].title).toBe('Renamed');
    await bumpContentGeneration(undefined, app.config.queuePrefix);
    expect((await list()).json().items[0].title).toBe('Synced');
  });
});

describe('the content seed', () => {
  it('adds published items of each kind, and leaves them alone when run again', async () => {
    const { seedContent } = await import('../src/modules/content/seed.js');
    await seedContent(app.db);
    await app.db.update(services).set({ title: 'Edited' }).where(eq(services.slug, 'analytics'));
    await seedContent(app.db);
    await bumpContentGeneration(undefined, app.config.queuePrefix);
    const slugs = async (path: string) =>
      (await app.inject({ method: 'GET', url: `/api/v1${path}` }))
        .json()
        .items.map((i: { slug: string }) => i.slug);
    expect(await slugs('/services')).toEqual(
      expect.arrayContaining(['data-engineering', 'analytics']),
    );
    const [study] = (await app.inject({ method: 'GET', url: '/api/v1/case-studies' })).json().items;
    expect(study).toMatchObject({ serviceSlug: 'data-engineering', industry: 'retail' });
    expect(await slugs('/impact-metrics')).toEqual(['projects', 'uptime']);
    expect(await slugs('/team')).toEqual(['ada-lovelace']);
    const analytics = await app.inject({ method: 'GET', url: '/api/v1/services/analytics' });
    expect(analytics.json().title).toBe('Edited');
  });
});
