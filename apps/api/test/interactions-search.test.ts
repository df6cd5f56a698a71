import { seedInteractions } from '@atrium/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_BATCH } from '../src/csv.js';
import { sample } from './interactions-support.js';
import { testApp } from './support.js';
import { orgOf, type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let owner: Person;
let orgId: string;
const base = () => `/api/v1/orgs/${orgId}/interactions`;
const list = async (query: string, who = owner) => {
  const response = await app.inject({
    method: 'GET',
    url: `${base()}?${query}`,
    headers: who.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { items: { id: string; title: string }[]; nextCursor: string | null };
};
const titles = async (query: string) => (await list(query)).items.map((i) => i.title);

beforeAll(async () => {
  app = await testApp();
  owner = await person(app);
  orgId = await orgOf(app, owner);
  const rows = [
    {
      title: 'Budget meeting',
      lead: 'Ada Lovelace',
      description: 'Yearly figures',
      startAt: '2026-01-05T09:00:00.000Z',
    },
    {
      title: 'Onboarding call',
      type: 'call',
      lead: 'Grace Hopper',
      location: 'Lisbon',
      startAt: '2026-01-06T09:00:00.000Z',
    },
    {
      title: 'Sprint update',
      type: 'update',
      lead: 'Alan Turing',
      notes: 'Discussed the budget briefly',
      startAt: '2026-01-07T09:00:00.000Z',
    },
    {
      title: 'Security training',
      type: 'training',
      lead: 'Katherine Johnson',
      description: 'Phishing drills',
      startAt: '2026-01-08T09:00:00.000Z',
    },
    {
      title: 'Contract email',
      type: 'email',
      lead: 'Ada Lovelace',
      location: 'Remote',
      startAt: '2026-01-09T09:00:00.000Z',
    },
  ];
  for (const row of rows) {
    const endAt = new Date(Date.parse(row.startAt) + 3600_000).toISOString();
    const response = await app.inject({
      method: 'POST',
      url: base(),
      headers: owner.headers,
      payload: sample({ description: null, notes: null, location: null, ...row, endAt }),
    });
    expect(response.statusCode).toBe(201);
  }
});
afterAll(() => app.dispose());

describe('search', () => {
  it.each([
    ['title', 'onboarding', 'Onboarding call'],
    ['lead', 'hopper', 'Onboarding call'],
    ['type', 'training', 'Security training'],
    ['location', 'lisbon', 'Onboarding call'],
    ['description', 'phishing', 'Security training'],
    ['notes', 'briefly', 'Sprint update'],
  ])('finds a word in the %s', async (_field, q, title) => {
    expect(await titles(`q=${q}`)).toEqual([title]);
  });

  it('matches the last word as a prefix, as people type', async () => {
    expect(await titles('q=secur')).toEqual(['Security training']);
    expect((await titles('q=ada%20lov')).sort()).toEqual(['Budget meeting', 'Contract email']);
  });

  it('tolerates a one-letter typo in a title or lead', async () => {
    expect(await titles('q=onbaording')).toContain('Onboarding call');
    expect(await titles('q=lovelase')).toEqual(
      expect.arrayContaining(['Budget meeting', 'Contract email']),
    );
    expect(await titles('q=meating')).toContain('Budget meeting');
  });

  it('ranks a title match above a match in the notes', async () => {
    expect(await titles('q=budget')).toEqual(['Budget meeting', 'Sprint update']);
  });

  it.each([
    "'",
    "%' or 1=1 --",
    'budget:*',
    '&|!()',
    'budget & !meeting',
    '\\',
    '\u0000budget',
    'x'.repeat(3000),
    '🙂 budget',
    '<script>alert(1)</script>',
  ])('searches or refuses hostile text without a 5xx (%#)', async (q) => {
    const response = await app.inject({
      method: 'GET',
      url: `${base()}?q=${encodeURIComponent(q)}`,
      headers: owner.headers,
    });
    expect([200, 400]).toContain(response.statusCode);
    if (response.statusCode === 400) expect(response.json().code).toBe('validation_failed');
  });

  it('refuses text with no letter or digit, and text over 3,000 characters', async () => {
    for (const q of ['%%%', '   ', 'x'.repeat(3001)]) {
      const response = await app.inject({
        method: 'GET',
        url: `${base()}?q=${encodeURIComponent(q)}`,
        headers: owner.headers,
      });
      expect(response.statusCode, q.slice(0, 10)).toBe(400);
    }
  });

  it('combines search with filters', async () => {
    expect(await titles('q=ada&type=email')).toEqual(['Contract email']);
    expect(await titles('lead=ada%20lovelace&sort=startAt')).toEqual([
      'Budget meeting',
      'Contract email',
    ]);
    expect(
      await titles('from=2026-01-06T00:00:00.000Z&to=2026-01-08T00:00:00.000Z&sort=startAt'),
    ).toEqual(['Onboarding call', 'Sprint update']);
  });
});

describe('keyset pagination', () => {
  const walk = async (query: string, insertBetween = false) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const result = await list(
        `limit=2&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...result.items.map((i) => i.id));
      cursor = result.nextCursor;
      if (insertBetween && page++ === 0) {
        await app.inject({
          method: 'POST',
          url: base(),
          headers: owner.headers,
          payload: sample({
            title: `Inserted ${Date.now()}`,
            startAt: '2030-01-01T00:00:00.000Z',
            endAt: '2030-01-01T01:00:00.000Z',
          }),
        });
      }
    } while (cursor);
    return seen;
  };

  it.each(['startAt', '-startAt', 'title', '-title', 'createdAt', '-createdAt'])(
    'visits every row exactly once sorted by %s',
    async (sort) => {
      const all = (await list(`limit=100&sort=${sort}`)).items.map((i) => i.id);
      const walked = await walk(`sort=${sort}`);
      expect(walked).toEqual(all);
      expect(new Set(walked).size).toBe(walked.length);
    },
  );

  it('visits every earlier row exactly once when rows are inserted between pages', async () => {
    const before = (await list('limit=100&sort=-createdAt')).items.map((i) => i.id);
    const walked = await walk('sort=-createdAt', true);
    expect(walked).toEqual(before);
  });

  it('pages through ranked search results without repeats', async () => {
    const all = (await list('limit=100&q=a')).items.map((i) => i.id);
    const walked = await walk('q=a');
    expect(walked).toEqual(all);
  });

  it.each([
    'garbage',
    Buffer.from('["x","not-a-uuid"]').toString('base64url'),
    Buffer.from('[1]').toString('base64url'),
  ])('answers 400 to an invalid cursor (%#)', async (cursor) => {
    const response = await app.inject({
      method: 'GET',
      url: `${base()}?sort=title&cursor=${cursor}`,
      headers: owner.headers,
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('CSV export', () => {
  it('streams every row with correct quoting and formula-safe cells', async () => {
    await app.inject({
      method: 'POST',
      url: base(),
      headers: owner.headers,
      payload: sample({
        title: '=HYPERLINK("http://evil")',
        lead: 'Smith, "Agent"',
        notes: 'line one\nline two',
        description: '+1 555',
        location: '@home',
      }),
    });
    const response = await app.inject({
      method: 'GET',
      url: `${base()}/export`,
      headers: owner.headers,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const lines = response.body;
    expect(lines.split('\n')[0]).toBe(
      'id,title,type,lead,startAt,endAt,timezone,location,description,notes,createdBy,createdAt,updatedAt,version',
    );
    expect(lines).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines).toContain('"Smith, ""Agent"""');
    expect(lines).toContain('"line one\nline two"');
    expect(lines).toContain("'+1 555");
    expect(lines).toContain("'@home");
    const total = (await list('limit=100')).items.length;
    const records = lines.trim().split('\n').length - 1 - 1; // header, and the one record spanning two lines
    expect(records).toBe(total);
  });

  it('exports every row once across batches, in the requested order', async () => {
    const big = await orgOf(app, owner);
    const count = CSV_BATCH * 2 + 37;
    await seedInteractions(app.db, { orgId: big, createdBy: owner.id, count });
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${big}/interactions/export?sort=createdAt`,
      headers: owner.headers,
    });
    expect(response.statusCode).toBe(200);
    const ids = response.body
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(ids).toEqual([...ids].sort());
  });

  it('applies the list filters', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `${base()}/export?type=training`,
      headers: owner.headers,
    });
    const body = response.body.trim().split('\n');
    expect(body).toHaveLength(2);
    expect(body[1]).toContain('Security training');
  });
});
