import { randomUUID } from 'node:crypto';
import { auditEvents } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support.js';
import { addMember, type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.dispose());

const api = (
  who: Person | undefined,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
) => app.inject({ method, url: `/api/v1${url}`, headers: who?.headers ?? {}, payload });

async function orgWith(owner: Person, members: [Person, string][] = [], name = 'Acme') {
  const org = (await api(owner, 'POST', '/orgs', { name })).json();
  for (const [user, role] of members) await addMember(app, org.id, user, role);
  return org as { id: string; slug: string };
}

describe('creating organizations', () => {
  it('makes the creator owner and lists the org with the role', async () => {
    const owner = await person(app);
    const created = await api(owner, 'POST', '/orgs', { name: 'Northwind Traders' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'Northwind Traders',
      slug: 'northwind-traders',
      role: 'owner',
    });
    const mine = (await api(owner, 'GET', '/orgs')).json();
    expect(mine.items.map((o: { id: string; role: string }) => [o.id, o.role])).toEqual([
      [created.json().id, 'owner'],
    ]);
  });

  it('generates free slugs for names that collide, and refuses a taken explicit slug', async () => {
    const owner = await person(app);
    const slugs = [];
    for (let i = 0; i < 3; i++)
      slugs.push((await api(owner, 'POST', '/orgs', { name: 'Café Zoë' })).json().slug);
    expect(slugs).toEqual(['cafe-zoe', 'cafe-zoe-2', 'cafe-zoe-3']);
    const taken = await api(owner, 'POST', '/orgs', { name: 'Other', slug: 'cafe-zoe' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('conflict');
    const renamed = await api(owner, 'PATCH', `/orgs/${(await orgWith(owner)).id}`, {
      slug: 'cafe-zoe-2',
    });
    expect(renamed.statusCode).toBe(409);
  });

  it('refuses a malformed slug and an empty name with the field paths', async () => {
    const owner = await person(app);
    const response = await api(owner, 'POST', '/orgs', { name: '', slug: 'Not A Slug' });
    expect(response.statusCode).toBe(400);
    expect(
      response
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['/body/name', '/body/slug']);
  });
});

describe('owners', () => {
  it('an org keeps at least one owner: the last owner can neither be demoted nor leave', async () => {
    const owner = await person(app);
    const org = await orgWith(owner);
    const demote = await api(owner, 'PATCH', `/orgs/${org.id}/members/${owner.id}`, {
      role: 'admin',
    });
    expect(demote.statusCode).toBe(409);
    const leave = await api(owner, 'DELETE', `/orgs/${org.id}/members/${owner.id}`);
    expect(leave.statusCode).toBe(409);
  });

  it('with a second owner, an owner may step down', async () => {
    const [owner, second] = [await person(app), await person(app)];
    const org = await orgWith(owner, [[second, 'owner']]);
    expect(
      (await api(owner, 'PATCH', `/orgs/${org.id}/members/${owner.id}`, { role: 'member' }))
        .statusCode,
    ).toBe(200);
    expect((await api(second, 'DELETE', `/orgs/${org.id}/members/${second.id}`)).statusCode).toBe(
      409,
    );
  });

  it('admins cannot grant, change or remove the owner role, nor invite owners', async () => {
    const [owner, admin, member] = [await person(app), await person(app), await person(app)];
    const org = await orgWith(owner, [
      [admin, 'admin'],
      [member, 'member'],
    ]);
    const attempts = [
      await api(admin, 'PATCH', `/orgs/${org.id}/members/${member.id}`, { role: 'owner' }),
      await api(admin, 'PATCH', `/orgs/${org.id}/members/${owner.id}`, { role: 'member' }),
      await api(admin, 'DELETE', `/orgs/${org.id}/members/${owner.id}`),
      await api(admin, 'POST', `/orgs/${org.id}/invitations`, {
        email: 'boss@example.com',
        role: 'owner',
      }),
    ];
    expect(attempts.map((r) => r.statusCode)).toEqual([403, 403, 403, 403]);
  });
});

describe('membership', () => {
  it('a member can leave, and the org is then invisible to them', async () => {
    const [owner, member] = [await person(app), await person(app)];
    const org = await orgWith(owner, [[member, 'member']]);
    expect((await api(member, 'DELETE', `/orgs/${org.id}/members/${member.id}`)).statusCode).toBe(
      204,
    );
    expect((await api(member, 'GET', `/orgs/${org.id}`)).statusCode).toBe(404);
  });

  it('lists members with their roles, page by page', async () => {
    const owner = await person(app);
    const others = await Promise.all([person(app), person(app), person(app)]);
    const org = await orgWith(
      owner,
      others.map((u) => [u, 'viewer'] as [Person, string]),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { userId: string }[]; nextCursor: string | null } = (
        await api(
          owner,
          'GET',
          `/orgs/${org.id}/members?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        )
      ).json();
      seen.push(...page.items.map((m: { userId: string }) => m.userId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([owner.id, ...others.map((u) => u.id)].sort());
    expect((await api(owner, 'GET', `/orgs/${org.id}/members?cursor=garbage`)).statusCode).toBe(
      400,
    );
  });

  it('deleting an org removes its memberships and invitations', async () => {
    const [owner, member] = [await person(app), await person(app)];
    const org = await orgWith(owner, [[member, 'member']]);
    await api(owner, 'POST', `/orgs/${org.id}/invitations`, {
      email: 'later@example.com',
      role: 'viewer',
    });
    expect((await api(owner, 'DELETE', `/orgs/${org.id}`)).statusCode).toBe(204);
    expect((await api(member, 'GET', '/orgs')).json().items).toEqual([]);
    const left = await app.db.execute(
      sql`select count(*)::int as n from invitations where org_id = ${org.id}`,
    );
    expect(JSON.stringify(left)).toContain('"n":0');
  });

  it('gives superusers no way around tenancy', async () => {
    const [owner, root] = [await person(app), await person(app, { isSuperuser: true })];
    const org = await orgWith(owner);
    expect((await api(root, 'GET', `/orgs/${org.id}`)).statusCode).toBe(404);
  });
});

describe('joining without consent', () => {
  it('gives owners and admins no way to add an existing account directly, whatever the role', async () => {
    const [owner, admin, stranger] = [await person(app), await person(app), await person(app)];
    const org = await orgWith(owner, [[admin, 'admin']]);
    for (const who of [owner, admin]) {
      for (const payload of [
        { email: stranger.email, role: 'owner' },
        { userId: stranger.id, role: 'member' },
      ]) {
        const response = await api(who, 'POST', `/orgs/${org.id}/members`, payload);
        expect(response.statusCode, response.body).toBe(404);
        expect(response.body).not.toContain(stranger.email);
      }
    }
    expect((await api(stranger, 'GET', `/orgs/${org.id}`)).statusCode).toBe(404);
    expect((await api(stranger, 'GET', '/orgs')).json().items).toEqual([]);
  });

  it('lets only a superuser add a member directly, and writes an audit row for it', async () => {
    const [owner, root, user] = [
      await person(app),
      await person(app, { isSuperuser: true }),
      await person(app),
    ];
    const org = await orgWith(owner);
    const grant = (who: Person, orgId = org.id, userId = user.id) =>
      api(who, 'POST', `/admin/orgs/${orgId}/members`, { userId, role: 'member' });

    expect((await grant(owner)).statusCode).toBe(403);
    expect((await api(user, 'GET', `/orgs/${org.id}`)).statusCode).toBe(404);

    const granted = await grant(root);
    expect(granted.statusCode).toBe(201);
    expect(granted.json()).toMatchObject({ userId: user.id, role: 'member' });
    expect((await api(user, 'GET', `/orgs/${org.id}`)).statusCode).toBe(200);
    const audit = () =>
      app.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.orgId, org.id), eq(auditEvents.action, 'org.member.added')));
    expect(await audit()).toEqual([
      expect.objectContaining({
        actorId: root.id,
        targetType: 'membership',
        targetId: user.id,
        data: { role: 'member', via: 'superuser' },
      }),
    ]);

    expect((await grant(root)).statusCode).toBe(409);
    expect((await grant(root, randomUUID())).statusCode).toBe(404);
    expect((await grant(root, 'not-a-uuid')).statusCode).toBe(404);
    expect((await grant(root, org.id, randomUUID())).statusCode).toBe(404);
    expect(await audit()).toHaveLength(1);
  });
});
