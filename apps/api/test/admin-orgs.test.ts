import { auditEvents, memberships, organizations } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './auth-support.js';
import { testApp } from './support.js';
import { addMember, orgOf, type Person, person } from './tenant-support.js';

// Superuser org administration: GET /admin/orgs, transfer of ownership, delete. Separate,
// explicit, audited endpoints; superusers still get 404 on an org's own routes unless members.

let app: TestApp;
let root: Person;
beforeAll(async () => {
  app = await testApp({ AUTH_SESSION_CACHE_MS: '0' });
  root = await person(app, { isSuperuser: true });
});
afterAll(() => app.dispose());

type Method = 'GET' | 'POST' | 'DELETE' | 'PATCH';
const call = (who: Person, method: Method, url: string, payload?: object) =>
  app.inject({
    method,
    url: `/api/v1${url}`,
    headers: who.headers,
    ...(payload ? { payload } : {}),
  });
const auditOf = (orgId: string, action: string) =>
  app.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, action as never)));
async function roleIn(orgId: string, userId: string) {
  const [row] = await app.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return row?.role;
}

const UNKNOWN = '01900000-0000-7000-8000-000000000000';

describe('the admin org endpoints', () => {
  it.each([
    ['GET', '/admin/orgs'],
    ['POST', `/admin/orgs/${UNKNOWN}/transfer`, { userId: UNKNOWN }],
    ['DELETE', `/admin/orgs/${UNKNOWN}`],
  ] as [Method, string, object?][])(
    '%s %s answers 403 to a non-superuser, even an org owner',
    async (method, url, payload) => {
      const owner = await person(app);
      await orgOf(app, owner);
      const res = await call(owner, method, url, payload);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('forbidden');
    },
  );

  it.each([
    ['GET', '/admin/orgs'],
    ['DELETE', `/admin/orgs/${UNKNOWN}`],
  ] as [Method, string][])('%s %s answers 401 without a token', async (method, url) => {
    const res = await app.inject({ method, url: `/api/v1${url}` });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /admin/orgs', () => {
  it('lists every org with member and owner counts, newest first, page by page', async () => {
    const owner = await person(app);
    const tag = `Listing${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(owner, 'POST', '/orgs', { name: `${tag} ${i}` });
      ids.push(res.json().id);
    }
    await addMember(app, ids[2]!, await person(app), 'member');
    await addMember(app, ids[2]!, await person(app), 'owner');
    const first = await call(root, 'GET', `/admin/orgs?q=${tag}&limit=2`);
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
    expect(page.items[0]).toMatchObject({ memberCount: 3, ownerCount: 2, name: `${tag} 2` });
    expect(page.items[0]).not.toHaveProperty('role');
    const second = await call(
      root,
      'GET',
      `/admin/orgs?q=${tag}&limit=2&cursor=${page.nextCursor}`,
    );
    expect(second.json().items.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    expect(second.json().items[0]).toMatchObject({ memberCount: 1, ownerCount: 1 });
    expect(second.json().nextCursor).toBeNull();
  });

  it('refuses a bad cursor, limit or unknown parameter with 400', async () => {
    for (const query of ['cursor=nope', 'limit=0', 'limit=101', 'role=owner']) {
      const res = await call(root, 'GET', `/admin/orgs?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('superusers and tenant data', () => {
  it('a superuser who is not a member gets 404 on the org’s own routes, as anyone else', async () => {
    const owner = await person(app);
    const orgId = await orgOf(app, owner);
    for (const url of [`/orgs/${orgId}`, `/orgs/${orgId}/members`, `/orgs/${orgId}/interactions`]) {
      const res = await call(root, 'GET', url);
      expect(res.statusCode).toBe(404);
    }
    expect((await call(root, 'PATCH', `/orgs/${orgId}`, { name: 'Taken over' })).statusCode).toBe(
      404,
    );
    expect((await call(root, 'DELETE', `/orgs/${orgId}`)).statusCode).toBe(404);
    const [org] = await app.db.select().from(organizations).where(eq(organizations.id, orgId));
    expect(org?.name).toBe('Interactions Org');
  });
});

describe('POST /admin/orgs/{orgId}/transfer', () => {
  it('makes a member the owner and the previous owner an admin, with one audit row', async () => {
    const owner = await person(app);
    const member = await person(app);
    const orgId = await orgOf(app, owner, [[member, 'member']]);
    const res = await call(root, 'POST', `/admin/orgs/${orgId}/transfer`, { userId: member.id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: orgId, memberCount: 2, ownerCount: 1 });
    expect(await roleIn(orgId, member.id)).toBe('owner');
    expect(await roleIn(orgId, owner.id)).toBe('admin');
    // The new owner can do owner things at once; the old one no longer can.
    expect((await call(owner, 'DELETE', `/orgs/${orgId}`)).statusCode).toBe(403);
    const rows = await auditOf(orgId, 'admin.org.ownership.transferred');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: root.id,
      targetType: 'org',
      targetId: orgId,
      data: { to: member.id, previousOwners: [owner.id] },
    });
  });

  it('adds a user who is not a member as the owner', async () => {
    const owner = await person(app);
    const outsider = await person(app);
    const orgId = await orgOf(app, owner);
    const res = await call(root, 'POST', `/admin/orgs/${orgId}/transfer`, { userId: outsider.id });
    expect(res.statusCode).toBe(200);
    expect(await roleIn(orgId, outsider.id)).toBe('owner');
    expect((await call(outsider, 'GET', `/orgs/${orgId}`)).json().role).toBe('owner');
  });

  it('answers 404 for an unknown org or user and changes nothing, writing no audit row', async () => {
    const owner = await person(app);
    const orgId = await orgOf(app, owner);
    const unknownUser = await call(root, 'POST', `/admin/orgs/${orgId}/transfer`, {
      userId: UNKNOWN,
    });
    expect(unknownUser.statusCode).toBe(404);
    expect(await roleIn(orgId, owner.id)).toBe('owner');
    const unknownOrg = await call(root, 'POST', `/admin/orgs/${UNKNOWN}/transfer`, {
      userId: owner.id,
    });
    expect(unknownOrg.statusCode).toBe(404);
    expect(
      (await call(root, 'POST', '/admin/orgs/not-an-id/transfer', { userId: owner.id })).statusCode,
    ).toBe(404);
    expect(await auditOf(orgId, 'admin.org.ownership.transferred')).toHaveLength(0);
  });

  it('refuses a disabled account with 409 and leaves the owners as they were', async () => {
    const owner = await person(app);
    const disabled = await person(app);
    const orgId = await orgOf(app, owner, [[disabled, 'member']]);
    await app.db.execute(sql`update users set is_active = false where id = ${disabled.id}`);
    const res = await call(root, 'POST', `/admin/orgs/${orgId}/transfer`, { userId: disabled.id });
    expect(res.statusCode).toBe(409);
    expect(await roleIn(orgId, owner.id)).toBe('owner');
    expect(await roleIn(orgId, disabled.id)).toBe('member');
    expect(await auditOf(orgId, 'admin.org.ownership.transferred')).toHaveLength(0);
  });

  it('refuses a malformed body with 400', async () => {
    const owner = await person(app);
    const orgId = await orgOf(app, owner);
    for (const payload of [{}, { userId: 'x' }, { userId: owner.id, role: 'owner' }]) {
      const res = await call(root, 'POST', `/admin/orgs/${orgId}/transfer`, payload);
      expect(res.statusCode).toBe(400);
    }
  });
});

describe('DELETE /admin/orgs/{orgId}', () => {
  it('deletes the org and its memberships, with one audit row that outlives it', async () => {
    const owner = await person(app);
    const orgId = await orgOf(app, owner, [[await person(app), 'viewer']]);
    const res = await call(root, 'DELETE', `/admin/orgs/${orgId}`);
    expect(res.statusCode).toBe(204);
    expect((await call(owner, 'GET', `/orgs/${orgId}`)).statusCode).toBe(404);
    const left = await app.db.execute(
      sql`select count(*)::int as n from memberships where org_id = ${orgId}`,
    );
    expect(JSON.stringify(left)).toContain('"n":0');
    const rows = await auditOf(orgId, 'admin.org.deleted');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: root.id,
      data: { name: 'Interactions Org', memberCount: 2 },
    });
  });

  it('answers 404 for an unknown org, and for one deleted already', async () => {
    const owner = await person(app);
    const orgId = await orgOf(app, owner);
    expect((await call(root, 'DELETE', `/admin/orgs/${orgId}`)).statusCode).toBe(204);
    expect((await call(root, 'DELETE', `/admin/orgs/${orgId}`)).statusCode).toBe(404);
    expect((await call(root, 'DELETE', `/admin/orgs/${UNKNOWN}`)).statusCode).toBe(404);
    expect(await auditOf(orgId, 'admin.org.deleted')).toHaveLength(1);
  });
});
