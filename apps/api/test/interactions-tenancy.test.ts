import {
  interactionHistory,
  interactions,
  tenantRow,
  tenantScope,
  tenantStatement,
} from '@atrium/db';
import { desc, eq, type SQL, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { sample } from './interactions-support.js';
import { testApp, testConfig } from './support.js';
import { orgOf, type Person, person, snapshot } from './tenant-support.js';

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

describe('writes across tenants', () => {
  const victimRow = async () =>
    (
      await app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${otherOrgId}/interactions`,
        headers: people.outsider.headers,
        payload: sample({ title: 'Outsider row' }),
      })
    ).json().id as string;

  const ATTEMPTS: [string, () => Promise<Record<string, unknown>>][] = [
    ['orgId (moving the row into another org)', async () => ({ orgId: otherOrgId })],
    ['createdBy (crediting it to someone else)', async () => ({ createdBy: people.outsider.id })],
    ['updatedBy', async () => ({ updatedBy: people.outsider.id })],
    ['id (taking over another row’s id)', async () => ({ id: await victimRow() })],
    ['id (not a UUID)', async () => ({ id: 'not-a-uuid' })],
    ['version', async () => ({ version: 1000 })],
    ['createdAt', async () => ({ createdAt: '2000-01-01T00:00:00.000Z' })],
  ];

  it.each(ATTEMPTS)('refuses a PATCH that sets %s with 400, changing nothing', async (_, extra) => {
    const fields = await extra();
    const before = await snapshot(app, people.member, orgId, interactionId);
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${orgId}/interactions/${interactionId}`,
      headers: people.member.headers,
      payload: { title: 'Moved', ...fields },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      errors: Object.keys(fields).map((key) => ({
        path: `/body/${key}`,
        message: expect.any(String),
      })),
    });
    expect(await snapshot(app, people.member, orgId, interactionId)).toEqual(before);
    const theirs = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${otherOrgId}/interactions?limit=100`,
      headers: people.outsider.headers,
    });
    expect(theirs.json().items.map((i: { id: string }) => i.id)).not.toContain(interactionId);
  });

  it('refuses the same fields on PUT and POST', async () => {
    const url = `/api/v1/orgs/${orgId}/interactions`;
    const put = await app.inject({
      method: 'PUT',
      url: `${url}/${interactionId}`,
      headers: people.member.headers,
      payload: sample({ orgId: otherOrgId }),
    });
    const post = await app.inject({
      method: 'POST',
      url,
      headers: people.member.headers,
      payload: sample({ orgId: otherOrgId, id: interactionId }),
    });
    expect([put.statusCode, post.statusCode]).toEqual([400, 400]);
    expect(
      post
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['/body/id', '/body/orgId']);
  });

  it('records a valid PATCH in the row’s own org, by its real author', async () => {
    const response = await app.inject({
      method: 'PATCH',
      url: `/api/v1/orgs/${orgId}/interactions/${interactionId}`,
      headers: people.member.headers,
      payload: { location: 'Room 4' },
    });
    expect(response.json()).toMatchObject({ orgId, updatedBy: people.member.id });
    const { history } = await snapshot(app, people.owner, orgId, interactionId);
    expect(history.at(-1)).toMatchObject({
      action: 'updated',
      actor: people.member.id,
      changes: { location: { to: 'Room 4' } },
    });
  });

  it('leaves no way for a tenant scope to write orgId or id, even with loose types', async () => {
    const scope = tenantScope(app.db, otherOrgId);
    const set = { title: 'Moved', orgId: otherOrgId } as { title: string };
    expect(() => scope.update(interactions, set, eq(interactions.id, interactionId))).toThrow(
      /does not update orgId/,
    );
    expect(() =>
      scope.insert(interactions, { ...sampleRow(), id: interactionId } as never),
    ).toThrow(/does not insert id/);
    const mine = tenantScope(app.db, orgId);
    expect(() =>
      mine.update(interactions, { id: interactionId } as never, eq(interactions.id, interactionId)),
    ).toThrow(/does not update id/);
  });
});

/**
 * Each org filter of the tenant scope, one at a time: from the other org, the scope reaches
 * nothing of this org's interaction, by every way the scope offers (a removed filter fails here).
 */
describe('a tenant scope', () => {
  const theirs = () => tenantScope(app.db, otherOrgId);
  const byId = () => eq(interactions.id, interactionId);
  const byIdStatement = tenantStatement<{ id: string }, { id: typeof interactions.id }>(
    'tenancy_test_by_id',
    interactions,
    { id: interactions.id },
    eq(interactions.id, sql.placeholder('id')),
  );

  const READS: [string, () => Promise<unknown[]>][] = [
    [
      'select',
      async () => theirs().select(interactions, { id: interactions.id }, { where: byId() }),
    ],
    [
      'select with a lock, in a transaction',
      () =>
        theirs().transaction(async (tx) =>
          tx.select(interactions, { id: interactions.id }, { where: byId(), lock: 'update' }),
        ),
    ],
    [
      'subquery and selectFrom',
      async () => {
        const scope = theirs();
        const rows = scope.subquery(
          'rows',
          interactions,
          { id: interactions.id },
          { where: byId() },
        );
        return scope.selectFrom(rows, { orderBy: [desc(rows.id)] });
      },
    ],
    [
      'execute (a prepared tenant statement)',
      () => theirs().execute(byIdStatement, { id: interactionId }),
    ],
    [
      'tenantRow (a statement read with something else, e.g. the session)',
      async () => {
        const { row } = tenantRow(app.db, byIdStatement);
        return app.db
          .select()
          .from(row)
          .prepare('tenancy_test_row')
          .execute({ orgId: otherOrgId, id: interactionId });
      },
    ],
    [
      'update',
      async () =>
        theirs()
          .update(interactions, { notes: 'pwned' }, byId())
          .returning({ id: interactions.id }),
    ],
    [
      'delete',
      async () =>
        theirs()
          .delete(interactionHistory, eq(interactionHistory.interactionId, interactionId))
          .returning({ id: interactionHistory.id }),
    ],
  ];

  it.each(READS)('reaches no row of another org through %s', async (_, attempt) => {
    const before = await snapshot(app, people.owner, orgId, interactionId);
    expect(await attempt()).toEqual([]);
    expect(await snapshot(app, people.owner, orgId, interactionId)).toEqual(before);
  });

  it('keeps the org filter around a condition with a bare OR', async () => {
    // Drizzle's and() joins without parentheses: `org and a or b` would read every org's rows.
    const anyRow = sql`false or ${interactions.id} = ${interactionId}`;
    const scope = theirs();
    expect(await scope.select(interactions, { id: interactions.id }, { where: anyRow })).toEqual(
      [],
    );
    const sub = scope.subquery('rows', interactions, { id: interactions.id }, { where: anyRow });
    expect(await scope.selectFrom(sub)).toEqual([]);
    const set = { notes: 'pwned' };
    expect(
      await scope.update(interactions, set, anyRow).returning({ id: interactions.id }),
    ).toEqual([]);
    const statement = tenantStatement<{ id: string }, { id: typeof interactions.id }>(
      'tenancy_test_or',
      interactions,
      { id: interactions.id },
      sql`false or ${interactions.id} = ${sql.placeholder('id')}`,
    );
    expect(await scope.execute(statement, { id: interactionId })).toEqual([]);
  });

  it('reaches its own org’s row the same ways (the attempts above are not vacuous)', async () => {
    const mine = tenantScope(app.db, orgId);
    expect(await mine.select(interactions, { id: interactions.id }, { where: byId() })).toEqual([
      { id: interactionId },
    ]);
    expect(await mine.execute(byIdStatement, { id: interactionId })).toEqual([
      { id: interactionId },
    ]);
  });

  const JOINS: [string, () => SQL][] = [
    ['on the id', () => eq(interactionHistory.interactionId, interactions.id)],
    [
      'on a condition with a bare OR',
      () => sql`${interactionHistory.interactionId} = ${interactions.id} or false`,
    ],
  ];

  it.each(JOINS)('filters a joined tenant table by its org too, joined %s', async (_, on) => {
    // A trail entry in the other org naming this org's interaction: a join on the id alone would find it.
    const [planted] = await theirs()
      .insert(interactionHistory, { interactionId, action: 'updated', changes: {} })
      .returning({ id: interactionHistory.id });
    try {
      const rows = await tenantScope(app.db, orgId).select(
        interactions,
        { entry: interactionHistory.id },
        { join: [{ table: interactionHistory, on: on() }], where: byId() },
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.entry)).not.toContain(planted!.id);
    } finally {
      await theirs().delete(interactionHistory, eq(interactionHistory.id, planted!.id));
    }
  });

  it('hands a row read ahead only to the same statement with the same params, once', async () => {
    const planted = [{ id: 'read ahead' }];
    const other = tenantScope(app.db, orgId, {
      statement: byIdStatement,
      params: { id: '00000000-0000-4000-8000-000000000000' },
      rows: planted,
    });
    expect(await other.execute(byIdStatement, { id: interactionId })).toEqual([
      { id: interactionId },
    ]);
    const same = tenantScope(app.db, orgId, {
      statement: byIdStatement,
      params: { id: interactionId },
      rows: planted,
    });
    expect(await same.execute(byIdStatement, { id: interactionId })).toBe(planted);
    expect(await same.execute(byIdStatement, { id: interactionId })).toEqual([
      { id: interactionId },
    ]);
  });

  it('runs only statements tenantStatement made (a hand-made one could skip the filter)', () => {
    const forged = { name: 'interaction_by_id', on: () => ({ execute: async () => [] }) };
    expect(() => theirs().execute(forged, {})).toThrow(/made by tenantStatement/);
  });

  it('refuses to select from a subquery another org’s scope built', async () => {
    const mine = tenantScope(app.db, orgId).subquery('rows', interactions, { id: interactions.id });
    expect(() => theirs().selectFrom(mine)).toThrow(/its own org built/);
  });
});

const sampleRow = () => ({
  title: 't',
  type: 'call' as const,
  lead: 'l',
  startAt: new Date(),
  endAt: new Date(),
  timezone: 'UTC',
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
