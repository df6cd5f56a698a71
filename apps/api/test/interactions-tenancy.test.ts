import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { sample } from './interactions-support.js';
import { testApp, testConfig } from './support.js';
import { orgOf, type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let people: Record<'owner' | 'admin' | 'member' | 'viewer' | 'outsider', Person>;
let orgId: string;
let otherOrgId: string;
let interactionId: string;

beforeAll(async () => {
  app = await testApp();
  const [owner, admin, member, viewer, outsider] = await Promise.all(
    Array.from({ length: 5 }, () => person(app)),
  );
  people = { owner: owner!, admin: admin!, member: member!, viewer: viewer!, outsider: outsider! };
  orgId = await orgOf(app, people.owner, [
    [people.admin, 'admin'],
    [people.member, 'member'],
    [people.viewer, 'viewer'],
  ]);
  otherOrgId = await orgOf(app, people.outsider);
  interactionId = (
    await app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${orgId}/interactions`,
      headers: people.owner.headers,
      payload: sample({ title: 'Confidential merger talk' }),
    })
  ).json().id;
});
afterAll(() => app.dispose());

type Who = keyof typeof people | 'anonymous';
const WHO: Who[] = ['owner', 'admin', 'member', 'viewer', 'outsider', 'anonymous'];
const read = { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, anonymous: 401 };
const write = (ok: number) => ({
  owner: ok,
  admin: ok,
  member: ok,
  viewer: 403,
  outsider: 404,
  anonymous: 401,
});

const ROWS: [
  string,
  () => { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object },
  Record<Who, number>,
][] = [
  ['GET list', () => ({ method: 'GET', url: `/api/v1/orgs/${orgId}/interactions` }), read],
  [
    'GET one',
    () => ({ method: 'GET', url: `/api/v1/orgs/${orgId}/interactions/${interactionId}` }),
    read,
  ],
  [
    'GET history',
    () => ({ method: 'GET', url: `/api/v1/orgs/${orgId}/interactions/${interactionId}/history` }),
    read,
  ],
  ['GET export', () => ({ method: 'GET', url: `/api/v1/orgs/${orgId}/interactions/export` }), read],
  [
    'POST',
    () => ({ method: 'POST', url: `/api/v1/orgs/${orgId}/interactions`, payload: sample() }),
    write(201),
  ],
  [
    'PATCH',
    () => ({
      method: 'PATCH',
      url: `/api/v1/orgs/${orgId}/interactions/${interactionId}`,
      payload: { notes: `n${Math.random()}` },
    }),
    write(200),
  ],
  [
    'PUT',
    () => ({
      method: 'PUT',
      url: `/api/v1/orgs/${orgId}/interactions/${interactionId}`,
      payload: sample({ title: 'Confidential merger talk' }),
    }),
    write(200),
  ],
];

describe.each(ROWS)('%s', (_name, request, expected) => {
  it.each(WHO)('answers %s as the role matrix says', async (who) => {
    const response = await app.inject({
      ...request(),
      headers: who === 'anonymous' ? {} : people[who].headers,
    });
    expect(response.statusCode, response.body.slice(0, 200)).toBe(expected[who]);
  });
});

describe('DELETE', () => {
  it.each(WHO)('answers %s as the role matrix says', async (who) => {
    const url = `/api/v1/orgs/${orgId}/interactions`;
    const created = await app.inject({
      method: 'POST',
      url,
      headers: people.owner.headers,
      payload: sample(),
    });
    const response = await app.inject({
      method: 'DELETE',
      url: `${url}/${created.json().id}`,
      headers: who === 'anonymous' ? {} : people[who].headers,
    });
    expect(response.statusCode).toBe(write(204)[who]);
  });
});

describe('across tenants', () => {
  it('never shows, changes or deletes another org’s interaction through your own org', async () => {
    const via = `/api/v1/orgs/${otherOrgId}/interactions/${interactionId}`;
    const h = people.outsider.headers;
    expect((await app.inject({ method: 'GET', url: via, headers: h })).statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'PATCH', url: via, headers: h, payload: { title: 'pwned' } }))
        .statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: via, headers: h })).statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: `${via}/history`, headers: h })).statusCode,
    ).toBe(404);
    const exported = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${otherOrgId}/interactions/export`,
      headers: h,
    });
    expect(exported.body).not.toContain('Confidential');
    const searched = await app.inject({
      method: 'GET',
      url: '/api/v1/search?q=confidential',
      headers: h,
    });
    expect(searched.json().items).toEqual([]);
    const still = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${orgId}/interactions/${interactionId}`,
      headers: people.owner.headers,
    });
    expect(still.json().title).toBe('Confidential merger talk');
  });

  it('searches every org the caller belongs to, naming each hit’s org', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/search?q=merger',
      headers: people.viewer.headers,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([
      expect.objectContaining({
        interaction: expect.objectContaining({ id: interactionId }),
        organization: expect.objectContaining({ id: orgId }),
      }),
    ]);
  });

  it('answers 404 to interaction ids that are not UUIDs', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${orgId}/interactions/nope`,
      headers: people.owner.headers,
    });
    expect(response.statusCode).toBe(404);
  });
});

describe('on embedded PGlite', () => {
  it('searches with prefixes and typos just as on PostgreSQL', async () => {
    const embedded = await buildApp(testConfig());
    try {
      const owner = await person(embedded as typeof app);
      const id = await orgOf(embedded as typeof app, owner);
      const url = `/api/v1/orgs/${id}/interactions`;
      await embedded.inject({
        method: 'POST',
        url,
        headers: owner.headers,
        payload: sample({ title: 'Budget meeting' }),
      });
      for (const q of ['budget', 'budg', 'meating']) {
        const response = await embedded.inject({
          method: 'GET',
          url: `${url}?q=${q}`,
          headers: owner.headers,
        });
        expect(
          response.json().items.map((i: { title: string }) => i.title),
          q,
        ).toEqual(['Budget meeting']);
      }
    } finally {
      await embedded.close();
    }
  });
});
