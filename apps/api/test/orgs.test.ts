import { sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailedToken } from './auth-support.js';
import { testApp } from './support.js';
import { type Person, person } from './tenant-support.js';

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
  for (const [user, role] of members) {
    expect(
      (await api(owner, 'POST', `/orgs/${org.id}/members`, { userId: user.id, role })).statusCode,
    ).toBe(201);
  }
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
      await api(admin, 'POST', `/orgs/${org.id}/members`, {
        email: (await person(app)).email,
        role: 'owner',
      }),
      await api(admin, 'POST', `/orgs/${org.id}/invitations`, {
        email: 'boss@example.com',
        role: 'owner',
      }),
    ];
    expect(attempts.map((r) => r.statusCode)).toEqual([403, 403, 403, 403, 403]);
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

  it('adding someone twice is a conflict, and an unknown email is not found', async () => {
    const [owner, member] = [await person(app), await person(app)];
    const org = await orgWith(owner, [[member, 'member']]);
    expect(
      (
        await api(owner, 'POST', `/orgs/${org.id}/members`, {
          email: member.email.toUpperCase(),
          role: 'viewer',
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await api(owner, 'POST', `/orgs/${org.id}/members`, {
          email: 'nobody@example.com',
          role: 'viewer',
        })
      ).statusCode,
    ).toBe(404);
  });

  it('needs exactly one of email and userId to add a member', async () => {
    const [owner, other] = [await person(app), await person(app)];
    const org = await orgWith(owner);
    const both = await api(owner, 'POST', `/orgs/${org.id}/members`, {
      email: other.email,
      userId: other.id,
      role: 'viewer',
    });
    const neither = await api(owner, 'POST', `/orgs/${org.id}/members`, { role: 'viewer' });
    expect([both.statusCode, neither.statusCode]).toEqual([400, 400]);
    expect(neither.json().code).toBe('validation_failed');
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

describe('invitations', () => {
  /** The token exists only in the email job's payload, read from the outbox. */
  const invitationToken = (email: string) => emailedToken(app, email, 'org-invitation');

  it('flows end to end: invite, email, accept by the invited address, membership', async () => {
    const [owner, admin] = [await person(app), await person(app)];
    const org = await orgWith(owner, [[admin, 'admin']]);
    const invited = await api(admin, 'POST', `/orgs/${org.id}/invitations`, {
      email: 'Grace@Example.com',
      role: 'member',
    });
    expect(invited.statusCode).toBe(201);
    expect(invited.body).not.toMatch(/token/i);
    expect((await api(admin, 'GET', `/orgs/${org.id}/invitations`)).json().items).toHaveLength(1);

    const token = await invitationToken('Grace@Example.com');
    const grace = await person(app, { email: 'grace@example.com' });
    const accepted = await api(grace, 'POST', '/invitations/accept', { token });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ id: org.id, role: 'member' });
    expect((await api(grace, 'GET', `/orgs/${org.id}`)).statusCode).toBe(200);
    expect((await api(admin, 'GET', `/orgs/${org.id}/invitations`)).json().items).toHaveLength(0);

    expect((await api(grace, 'POST', '/invitations/accept', { token })).statusCode).toBe(404);
  });

  it('refuses a signed-in user whose email is not the invited one', async () => {
    const owner = await person(app);
    const org = await orgWith(owner);
    await api(owner, 'POST', `/orgs/${org.id}/invitations`, {
      email: 'alan@example.com',
      role: 'viewer',
    });
    const stranger = await person(app);
    const response = await api(stranger, 'POST', '/invitations/accept', {
      token: await invitationToken('alan@example.com'),
    });
    expect(response.statusCode).toBe(403);
  });

  it('re-inviting replaces the pending invitation; revoked and expired tokens are refused', async () => {
    const owner = await person(app);
    const org = await orgWith(owner);
    const email = 'ada@example.com';
    await api(owner, 'POST', `/orgs/${org.id}/invitations`, { email, role: 'viewer' });
    const first = await invitationToken(email);
    const second = (
      await api(owner, 'POST', `/orgs/${org.id}/invitations`, { email, role: 'member' })
    ).json();
    const secondToken = await invitationToken(email);
    expect(
      (await api(owner, 'GET', `/orgs/${org.id}/invitations`))
        .json()
        .items.map((i: { id: string }) => i.id),
    ).toEqual([second.id]);

    const ada = await person(app, { email: email });
    expect((await api(ada, 'POST', '/invitations/accept', { token: first })).statusCode).toBe(404);

    await app.db.execute(
      sql`update invitations set expires_at = now() - interval '1 minute' where id = ${second.id}`,
    );
    expect((await api(ada, 'POST', '/invitations/accept', { token: secondToken })).statusCode).toBe(
      404,
    );

    await api(owner, 'POST', `/orgs/${org.id}/invitations`, { email, role: 'member' });
    const third = await invitationToken(email);
    const pending = (await api(owner, 'GET', `/orgs/${org.id}/invitations`)).json().items[0];
    expect(
      (await api(owner, 'DELETE', `/orgs/${org.id}/invitations/${pending.id}`)).statusCode,
    ).toBe(204);
    expect((await api(ada, 'POST', '/invitations/accept', { token: third })).statusCode).toBe(404);
  });
});
