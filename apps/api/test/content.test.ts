import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

let app: TestApp;
let editor: Record<string, string>;
let reader: Record<string, string>;

beforeAll(async () => {
  app = await testApp();
  editor = bearer((await signUp(app, { permissions: ['content:write'] })).accessToken);
  reader = bearer((await signUp(app)).accessToken);
});
afterAll(() => app?.dispose());

const url = (path: string) => `/api/v1${path}`;
const get = (path: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: url(path), headers });
const write = (
  method: 'POST' | 'PATCH' | 'DELETE',
  path: string,
  payload?: object,
  headers = editor,
) => app.inject({ method, url: url(path), headers, ...(payload ? { payload } : {}) });

async function create(path: string, payload: object) {
  const res = await write('POST', path, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('public content reads', () => {
  it('lists only published items, in position order, and reads one by slug', async () => {
    await create('/services', { slug: 'svc-b', title: 'B', published: true, position: 2 });
    await create('/services', { slug: 'svc-a', title: 'A', published: true, position: 1 });
    await create('/services', { slug: 'svc-draft', title: 'Draft', position: 0 });
    const list = await get('/services');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((s: { slug: string }) => s.slug)).toEqual(['svc-a', 'svc-b']);
    expect((await get('/services/svc-a')).json()).toMatchObject({ title: 'A', published: true });
    expect((await get('/services/svc-draft')).statusCode).toBe(404);
    expect((await get('/services/nothing-here')).statusCode).toBe(404);
  });

  it('answers with a strong ETag and public caching, and 304 to a current If-None-Match', async () => {
    await create('/impact-stories', { slug: 'story-1', title: 'Story', published: true });
    const first = await get('/impact-stories');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=300');
    const again = await get('/impact-stories', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const item = await get('/impact-stories/story-1');
    expect(
      (await get('/impact-stories/story-1', { 'if-none-match': `"x", ${item.headers.etag}` }))
        .statusCode,
    ).toBe(304);
    expect((await get('/impact-stories', { 'if-none-match': '"stale"' })).statusCode).toBe(200);
  });

  it('changes the ETag and the answer after a write (the cache is invalidated)', async () => {
    await create('/team', { slug: 'ada', title: 'Ada', role: 'CTO', published: true });
    const before = await get('/team');
    expect(before.json().items.map((m: { role: string }) => m.role)).toContain('CTO');
    const patched = await write('PATCH', '/team/ada', { role: 'CEO' });
    expect(patched.statusCode, patched.body).toBe(200);
    const after = await get('/team', { 'if-none-match': before.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.json().items.find((m: { slug: string }) => m.slug === 'ada').role).toBe('CEO');
    expect((await write('DELETE', '/team/ada')).statusCode).toBe(204);
    expect((await get('/team')).json().items).toEqual([]);
    expect((await get('/team/ada')).statusCode).toBe(404);
  });

  it('filters case studies by service and industry, with keyset pages', async () => {
    await create('/services', { slug: 'cs-svc', title: 'Svc', published: true });
    for (let i = 0; i < 5; i++) {
      await create('/case-studies', {
        slug: `case-${i}`,
        title: `Case ${i}`,
        published: true,
        position: i,
        serviceSlug: i % 2 === 0 ? 'cs-svc' : null,
        industry: i < 3 ? 'retail' : 'health',
      });
    }
    const bySvc = (await get('/case-studies?service=cs-svc')).json();
    expect(bySvc.items.map((c: { slug: string }) => c.slug)).toEqual([
      'case-0',
      'case-2',
      'case-4',
    ]);
    expect(bySvc.items[0].serviceSlug).toBe('cs-svc');
    const retail = (await get('/case-studies?industry=retail&service=cs-svc')).json();
    expect(retail.items.map((c: { slug: string }) => c.slug)).toEqual(['case-0', 'case-2']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await get(`/case-studies?limit=2${query}`)).json();
      seen.push(...page.items.map((c: { slug: string }) => c.slug));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['case-0', 'case-1', 'case-2', 'case-3', 'case-4']);
    expect((await get('/case-studies?cursor=bad')).statusCode).toBe(400);
    const unknownService = await write('POST', '/case-studies', {
      slug: 'x-case',
      title: 'X',
      serviceSlug: 'no-such-service',
    });
    expect(unknownService.statusCode).toBe(400);
  });

  it('serves impact metrics with their value and unit', async () => {
    await create('/impact-metrics', {
      slug: 'uptime',
      title: 'Uptime',
      value: '99.9',
      unit: '%',
      published: true,
    });
    const [metric] = (await get('/impact-metrics')).json().items;
    expect(metric).toMatchObject({ slug: 'uptime', value: '99.9', unit: '%' });
  });
});

describe('previews', () => {
  it('shows drafts to content:write holders only, never publicly cached', async () => {
    await create('/impact-stories', { slug: 'draft-story', title: 'Secret draft' });
    expect((await get('/impact-stories/draft-story')).statusCode).toBe(404);
    expect((await get('/impact-stories?preview=true')).statusCode).toBe(401);
    expect((await get('/impact-stories?preview=true', reader)).statusCode).toBe(403);
    expect((await get('/impact-stories/draft-story?preview=true', reader)).statusCode).toBe(403);
    const list = await get('/impact-stories?preview=true', editor);
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('private, no-store');
    expect(list.json().items.map((s: { slug: string }) => s.slug)).toContain('draft-story');
    const one = await get('/impact-stories/draft-story?preview=true', editor);
    expect(one.json()).toMatchObject({ title: 'Secret draft', published: false });
    expect(one.headers['cache-control']).toBe('private, no-store');
    // The preview did not leak into the public cache.
    expect(
      (await get('/impact-stories')).json().items.map((s: { slug: string }) => s.slug),
    ).not.toContain('draft-story');
  });

  it('publishing a draft sets publishedAt and shows it publicly', async () => {
    await create('/services', { slug: 'later', title: 'Later' });
    const published = await write('PATCH', '/services/later', { published: true });
    expect(published.json().publishedAt).toEqual(expect.any(String));
    expect((await get('/services/later')).statusCode).toBe(200);
  });
});

describe('content writes', () => {
  it('need content:write', async () => {
    const payload = { slug: 'nope', title: 'Nope' };
    expect((await write('POST', '/services', payload, {})).statusCode).toBe(401);
    expect((await write('POST', '/services', payload, reader)).statusCode).toBe(403);
    expect((await write('DELETE', '/services/svc-a', undefined, reader)).statusCode).toBe(403);
  });

  it('refuse unknown fields with 400 naming them', async () => {
    const res = await write('POST', '/services', { slug: 'u', title: 'U', colour: 'red' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('colour');
    const patch = await write('PATCH', '/services/svc-a', { role: 'x' });
    expect(patch.statusCode).toBe(400);
    expect(patch.body).toContain('role');
    expect((await get('/services?sort=title')).statusCode).toBe(400);
  });

  it('answer 409 to a duplicate slug, on create and on rename', async () => {
    await create('/impact-stories', { slug: 'dup-1', title: 'One' });
    await create('/impact-stories', { slug: 'dup-2', title: 'Two' });
    const again = await write('POST', '/impact-stories', { slug: 'dup-1', title: 'Again' });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('dup-1');
    expect((await write('PATCH', '/impact-stories/dup-2', { slug: 'dup-1' })).statusCode).toBe(409);
    // The same slug in another type is fine.
    expect((await write('POST', '/services', { slug: 'dup-1', title: 'S' })).statusCode).toBe(201);
  });

  it('render Markdown to HTML with scripts, handlers and javascript: links removed', async () => {
    const body = [
      '# Title',
      '',
      'Some **bold** text and [a link](https://example.com).',
      '',
      '<script>alert(1)</script>',
      '<img src="x.png" onerror="alert(2)">',
      '',
      'A [click](javascript:alert(3)) and <a href="javascript:alert(4)">another</a>.',
    ].join('\n');
    const item = await create('/services', { slug: 'md', title: 'MD', body, published: true });
    expect(item.body).toBe(body);
    expect(item.bodyHtml).toContain('<h1>Title</h1>');
    expect(item.bodyHtml).toContain('<strong>bold</strong>');
    expect(item.bodyHtml).toContain('href="https://example.com"');
    expect(item.bodyHtml).not.toMatch(/<script|onerror|href="javascript:/i);
    expect(item.bodyHtml).toContain('another</a>');
  });

  it('answer 404 to writes on a slug that does not exist', async () => {
    expect((await write('PATCH', '/services/ghost', { title: 'G' })).statusCode).toBe(404);
    expect((await write('DELETE', '/services/ghost')).statusCode).toBe(404);
  });
});
