import type { AuditAction } from '@atrium/contracts';
import {
  auditEvents,
  invitations,
  memberships,
  organizations,
  roles,
  userRoles,
  users,
} from '@atrium/db';
import { and, eq, gt, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailedToken, STRONG_PASSWORD } from './auth-support.js';
import { testApp } from './support.js';
import { addMember, type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let root: Person;
beforeAll(async () => {
  app = await testApp();
  root = await person(app, { isSuperuser: true });
});
afterAll(() => app.dispose());

let counter = 0;
const unique = () => {
  counter += 1;
  return `${Date.now().toString(36)}${counter}`;
};

const api = (who: Person, method: string, url: string, payload?: object) =>
  app.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: who.headers,
    ...(payload ? { payload } : {}),
  });

const one = async <T>(rows: Promise<T[]>) => (await rows)[0];
const exists = async (rows: Promise<unknown[]>) => (await rows).length > 0;

async function orgOwnedBy(owner: Person) {
  const created = await api(owner, 'POST', '/orgs', { name: `Audit ${unique()}` });
  return created.json().id as string;
}

interface Case {
  action: AuditAction;
  /** Makes what the action needs; its rows are written before the count starts. */
  setup(): Promise<{
    actor: Person;
    method: string;
    url: string;
    payload?: object;
    target: string;
    orgId?: string;
    done(): Promise<boolean>;
  }>;
}

/** Every audited change, as the user makes it, and how to see that it happened. */
const CASES: Case[] = [
  {
    action: 'admin.user.created',
    async setup() {
      const email = `created-${unique()}@example.com`;
      const done = () => exists(app.db.select().from(users).where(eq(users.email, email)));
      return {
        actor: root,
        method: 'POST',
        url: '/users',
        payload: { email, password: STRONG_PASSWORD },
        target: '',
        done,
      };
    },
  },
  {
    action: 'admin.user.deleted',
    async setup() {
      const user = await person(app);
      const done = async () =>
        !(await exists(app.db.select().from(users).where(eq(users.id, user.id))));
      return { actor: root, method: 'DELETE', url: `/users/${user.id}`, target: user.id, done };
    },
  },
  {
    action: 'admin.user.updated',
    async setup() {
      const user = await person(app);
      const done = async () =>
        (await one(app.db.select().from(users).where(eq(users.id, user.id))))?.isActive === false;
      return {
        actor: root,
        method: 'PUT',
        url: `/users/${user.id}/disable`,
        target: user.id,
        done,
      };
    },
  },
  {
    action: 'admin.user.superuser.changed',
    async setup() {
      const user = await person(app);
      const done = async () =>
        (await one(app.db.select().from(users).where(eq(users.id, user.id))))?.isSuperuser === true;
      return {
        actor: root,
        method: 'PUT',
        url: `/users/${user.id}/superuser`,
        payload: { isSuperuser: true },
        target: user.id,
        done,
      };
    },
  },
  {
    action: 'admin.user.roles.changed',
    async setup() {
      const user = await person(app);
      const [role] = await app.db
        .insert(roles)
        .values({ name: `r-${unique()}`, permissions: ['users:read'] })
        .returning();
      const done = () =>
        exists(app.db.select().from(userRoles).where(eq(userRoles.userId, user.id)));
      return {
        actor: root,
        method: 'PUT',
        url: `/users/${user.id}/roles`,
        payload: { roleIds: [role!.id] },
        target: user.id,
        done,
      };
    },
  },
  {
    action: 'admin.role.created',
    async setup() {
      const name = `role-${unique()}`;
      const done = () => exists(app.db.select().from(roles).where(eq(roles.name, name)));
      return {
        actor: root,
        method: 'POST',
        url: '/roles',
        payload: { name, permissions: ['forms:read'] },
        target: '',
        done,
      };
    },
  },
  {
    action: 'admin.role.deleted',
    async setup() {
      const [role] = await app.db
        .insert(roles)
        .values({ name: `gone-${unique()}`, permissions: [] })
        .returning();
      const done = async () =>
        !(await exists(app.db.select().from(roles).where(eq(roles.id, role!.id))));
      return { actor: root, method: 'DELETE', url: `/roles/${role!.id}`, target: role!.id, done };
    },
  },
  {
    action: 'org.created',
    async setup() {
      const owner = await person(app);
      const name = `Created ${unique()}`;
      const done = () =>
        exists(app.db.select().from(organizations).where(eq(organizations.name, name)));
      return { actor: owner, method: 'POST', url: '/orgs', payload: { name }, target: '', done };
    },
  },
  {
    action: 'org.deleted',
    async setup() {
      const owner = await person(app);
      const orgId = await orgOwnedBy(owner);
      const done = async () =>
        !(await exists(app.db.select().from(organizations).where(eq(organizations.id, orgId))));
      return { actor: owner, method: 'DELETE', url: `/orgs/${orgId}`, target: orgId, orgId, done };
    },
  },
  {
    action: 'org.member.added',
    async setup() {
      const [owner, user] = [await person(app), await person(app)];
      const orgId = await orgOwnedBy(owner);
      const done = () =>
        exists(
          app.db
            .select()
            .from(memberships)
            .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id))),
        );
      return {
        actor: root,
        method: 'POST',
        url: `/admin/orgs/${orgId}/members`,
        payload: { userId: user.id, role: 'viewer' },
        target: user.id,
        orgId,
        done,
      };
    },
  },
  {
    action: 'org.member.role.changed',
    async setup() {
      const [owner, user] = [await person(app), await person(app)];
      const orgId = await orgOwnedBy(owner);
      await addMember(app, orgId, user, 'viewer');
      const done = async () =>
        (
          await one(
            app.db
              .select()
              .from(memberships)
              .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id))),
          )
        )?.role === 'admin';
      return {
        actor: owner,
        method: 'PATCH',
        url: `/orgs/${orgId}/members/${user.id}`,
        payload: { role: 'admin' },
        target: user.id,
        orgId,
        done,
      };
    },
  },
  {
    action: 'org.member.removed',
    async setup() {
      const [owner, user] = [await person(app), await person(app)];
      const orgId = await orgOwnedBy(owner);
      await addMember(app, orgId, user, 'member');
      const done = async () =>
        !(await exists(
          app.db
            .select()
            .from(memberships)
            .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id))),
        ));
      return {
        actor: owner,
        method: 'DELETE',
        url: `/orgs/${orgId}/members/${user.id}`,
        target: user.id,
        orgId,
        done,
      };
    },
  },
  {
    action: 'org.invitation.created',
    async setup() {
      const owner = await person(app);
      const orgId = await orgOwnedBy(owner);
      const email = `invited-${unique()}@example.com`;
      const done = () =>
        exists(app.db.select().from(invitations).where(eq(invitations.email, email)));
      return {
        actor: owner,
        method: 'POST',
        url: `/orgs/${orgId}/invitations`,
        payload: { email, role: 'member' },
        target: '',
        orgId,
        done,
      };
    },
  },
  {
    action: 'org.invitation.revoked',
    async setup() {
      const owner = await person(app);
      const orgId = await orgOwnedBy(owner);
      const invited = await api(owner, 'POST', `/orgs/${orgId}/invitations`, {
        email: `revoked-${unique()}@example.com`,
        role: 'member',
      });
      const id = invited.json().id as string;
      const done = async () =>
        (await one(app.db.select().from(invitations).where(eq(invitations.id, id))))?.revokedAt !=
        null;
      return {
        actor: owner,
        method: 'DELETE',
        url: `/orgs/${orgId}/invitations/${id}`,
        target: id,
        orgId,
        done,
      };
    },
  },
  {
    action: 'org.invitation.accepted',
    async setup() {
      const [owner, invitee] = [await person(app), await person(app)];
      const orgId = await orgOwnedBy(owner);
      const invited = await api(owner, 'POST', `/orgs/${orgId}/invitations`, {
        email: invitee.email,
        role: 'member',
      });
      const token = await emailedToken(app, invitee.email, 'org-invitation');
      const done = () =>
        exists(
          app.db
            .select()
            .from(memberships)
            .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, invitee.id))),
        );
      return {
        actor: invitee,
        method: 'POST',
        url: '/invitations/accept',
        payload: { token },
        target: invited.json().id,
        orgId,
        done,
      };
    },
  },
];

/** Rows written after `seq`. */
const rowsAfter = (seq: number) =>
  app.db.select().from(auditEvents).where(gt(auditEvents.seq, seq));
const lastSeq = async () =>
  Number(
    (
      await one(
        app.db.select({ seq: sql<number>`coalesce(max(${auditEvents.seq}), 0)` }).from(auditEvents),
      )
    )?.seq ?? 0,
  );

/**
 * Fails the commit of any transaction that appended `action`: a deferred constraint trigger runs
 * after the audit row and the change were written, so both must vanish together.
 */
async function failingCommitsOf(action: AuditAction, run: () => Promise<void>) {
  await app.db.execute(
    sql.raw(`
    create or replace function audit_test_fail() returns trigger language plpgsql as $$
    begin raise exception 'the test fails this commit'; end $$;
    create constraint trigger audit_test_fail after insert on audit_events
      deferrable initially deferred for each row
      when (new.action = '${action}') execute function audit_test_fail();`),
  );
  try {
    await run();
  } finally {
    await app.db.execute(sql`drop trigger audit_test_fail on audit_events`);
  }
}

describe('audited changes', () => {
  it.each(CASES.map((c) => [c.action, c] as const))(
    '%s writes exactly one row, naming the actor and their IP, in the change’s transaction',
    async (action, { setup }) => {
      const { actor, method, url, payload, target, orgId, done } = await setup();
      const before = await lastSeq();
      const response = await api(actor, method, url, payload);
      expect(response.statusCode, response.body).toBeLessThan(300);
      expect(await done()).toBe(true);
      const rows = await rowsAfter(before);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action, actorId: actor.id, actorIp: '127.0.0.1' });
      if (target) expect(rows[0]!.targetId).toBe(target);
      if (orgId) expect(rows[0]!.orgId).toBe(orgId);
      expect(JSON.stringify(rows[0]!.data)).not.toMatch(/password|token|hash/i);
    },
  );

  it.each(CASES.map((c) => [c.action, c] as const))(
    '%s leaves neither the change nor a row when its transaction rolls back',
    async (action, { setup }) => {
      const { actor, method, url, payload, done } = await setup();
      const before = await lastSeq();
      await failingCommitsOf(action, async () => {
        const response = await api(actor, method, url, payload);
        expect(response.statusCode).toBe(500);
      });
      expect(await done()).toBe(false);
      expect(await rowsAfter(before)).toEqual([]);
    },
  );

  it('refused changes write nothing', async () => {
    const owner = await person(app);
    const orgId = await orgOwnedBy(owner);
    const outsider = await person(app);
    const before = await lastSeq();
    expect((await api(outsider, 'DELETE', `/orgs/${orgId}`)).statusCode).toBe(404);
    expect((await api(owner, 'DELETE', `/orgs/${orgId}/members/${owner.id}`)).statusCode).toBe(409);
    expect(
      (await api(outsider, 'POST', '/roles', { name: `x-${unique()}`, permissions: [] }))
        .statusCode,
    ).toBe(403);
    expect(
      (await api(root, 'PUT', `/users/${root.id}/superuser`, { isSuperuser: false })).statusCode,
    ).toBe(200);
    // That one succeeded (other superusers exist): exactly its row.
    expect((await rowsAfter(before)).map((r) => r.action)).toEqual([
      'admin.user.superuser.changed',
    ]);
  });
});
