import { randomUUID } from 'node:crypto';
import { AuditEntry, AuditPage, AuditVerification } from '@atrium/contracts';
import { auditEvents } from '@atrium/db';
import { desc, eq, sql } from '@atrium/db/orm';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp } from './auth-support.js';
import { testApp } from './support.js';
import { addMember, type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let root: Person;
let reader: Person;
beforeAll(async () => {
  app = await testApp();
  root = await person(app, { isSuperuser: true });
  const holder = await signUp(app, { permissions: ['audit:read'] });
  reader = { id: holder.user.id, email: holder.user.email, headers: bearer(holder.accessToken) };
});
afterAll(() => app.dispose());

const get = (who: Person, url: string) =>
  app.inject({ method: 'GET', url: `/api/v1${url}`, headers: who.headers });

async function orgOwnedBy(owner: Person, name = `Audit ${randomUUID().slice(0, 8)}`) {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/orgs',
    headers: owner.headers,
    payload: { name },
  });
  return created.json().id as string;
}

/** Runs `statement` as the database owner with the append-only trigger off: a tamperer with the owner's rights. */
async function tamper(statement: ReturnType<typeof sql>) {
  await app.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update`);
  });
}

describe('who may read the audit log', () => {
  it('answers 403 to users without audit:read on every admin route, 401 without a token', async () => {
    const plain = await person(app);
    const usersAdmin = await signUp(app, {
      permissions: ['users:read', 'users:write', 'roles:write'],
    });
    for (const url of ['/admin/audit', '/admin/audit/verify', '/admin/audit/export']) {
      expect((await get(plain, url)).statusCode, url).toBe(403);
      expect(
        (
          await app.inject({
            method: 'GET',
            url: `/api/v1${url}`,
            headers: bearer(usersAdmin.accessToken),
          })
        ).statusCode,
        url,
      ).toBe(403);
      expect((await app.inject({ method: 'GET', url: `/api/v1${url}` })).statusCode, url).toBe(401);
      expect((await get(reader, url)).statusCode, url).toBe(200);
      expect((await get(root, url)).statusCode, url).toBe(200);
    }
  });

  it("shows an org's owners that org's rows only; admins get 403 and outsiders 404", async () => {
    const [owner, admin, other, outsider] = [
      await person(app),
      await person(app),
      await person(app),
      await person(app),
    ];
    const orgId = await orgOwnedBy(owner);
    const otherOrg = await orgOwnedBy(other);
    await addMember(app, orgId, admin, 'admin');
    await addMember(app, otherOrg, owner, 'member');

    const page = await get(owner, `/orgs/${orgId}/audit?limit=100`);
    expect(page.statusCode).toBe(200);
    expect(Value.Check(AuditPage, page.json())).toBe(true);
    const items = page.json().items as AuditEntry[];
    expect(items.map((i) => i.action).sort()).toEqual(['org.created', 'org.member.added']);
    expect(items.every((i) => i.orgId === orgId)).toBe(true);
    // The owner is a member of the other org, not its owner.
    expect((await get(owner, `/orgs/${otherOrg}/audit`)).statusCode).toBe(403);
    expect((await get(admin, `/orgs/${orgId}/audit`)).statusCode).toBe(403);
    expect((await get(outsider, `/orgs/${orgId}/audit`)).statusCode).toBe(404);
    // A superuser who is not a member gets no bypass here: the admin route is the way.
    expect((await get(root, `/orgs/${orgId}/audit`)).statusCode).toBe(404);
    // Filters cannot widen an org's log to another org.
    const widened = await get(owner, `/orgs/${orgId}/audit?orgId=${otherOrg}`);
    expect(widened.statusCode).toBe(400);
  });
});

describe('GET /admin/audit', () => {
  it('filters by action, actor, target, org and time, newest first', async () => {
    const owner = await person(app);
    const orgId = await orgOwnedBy(owner);
    const member = await person(app);
    await addMember(app, orgId, member, 'viewer');
    const list = async (query: string) => {
      const response = await get(reader, `/admin/audit?limit=100&${query}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(Value.Check(AuditPage, response.json())).toBe(true);
      return response.json().items as AuditEntry[];
    };
    const ofOrg = await list(`orgId=${orgId}`);
    expect(ofOrg.map((i) => i.action)).toEqual(['org.member.added', 'org.created']);
    expect(ofOrg[0]!.seq).toBeGreaterThan(ofOrg[1]!.seq);
    expect((await list(`actorId=${owner.id}`)).map((i) => i.action)).toEqual(['org.created']);
    expect(
      (await list(`action=org.member.added&targetId=${member.id}`)).map((i) => i.orgId),
    ).toEqual([orgId]);
    expect(await list(`targetType=role&targetId=${member.id}`)).toEqual([]);
    const at = ofOrg[1]!.at;
    expect(await list(`orgId=${orgId}&to=${encodeURIComponent(at)}`)).toEqual([]);
    expect(await list(`orgId=${orgId}&from=${encodeURIComponent(at)}`)).toHaveLength(2);
  });

  it('pages by keyset without repeats or gaps', async () => {
    for (let n = 0; n < 5; n += 1) await orgOwnedBy(root);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(
        reader,
        `/admin/audit?action=org.created&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.statusCode).toBe(200);
      const page = response.json();
      seen.push(...page.items.map((i: AuditEntry) => i.seq));
      cursor = page.nextCursor;
    } while (cursor);
    const all = await app.db
      .select({ seq: auditEvents.seq })
      .from(auditEvents)
      .where(eq(auditEvents.action, 'org.created'))
      .orderBy(desc(auditEvents.seq));
    expect(seen).toEqual(all.map((r) => r.seq));
  });

  it.each([
    ['an unknown action', 'action=org.flown'],
    ['a malformed actor id', 'actorId=someone'],
    ['a malformed time', 'from=yesterday'],
    ['an unknown parameter', 'sort=seq'],
    ['a forged cursor', 'cursor=bm90LWEtY3Vyc29y'],
    ['a limit over 100', 'limit=101'],
  ])('answers 400 problem+json to %s', async (_, query) => {
    const response = await get(reader, `/admin/audit?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});

describe('GET /admin/audit/export', () => {
  it('streams every matching row as NDJSON, oldest first', async () => {
    const owner = await person(app);
    const orgId = await orgOwnedBy(owner);
    await addMember(app, orgId, await person(app), 'member');
    const response = await get(reader, `/admin/audit/export?orgId=${orgId}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = response.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.action)).toEqual(['org.created', 'org.member.added']);
    for (const line of lines) expect(Value.Check(AuditEntry, line)).toBe(true);

    const everything = await get(reader, '/admin/audit/export');
    const seqs = everything.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.length).toBe(await app.db.$count(auditEvents));
  });

  it('answers 400 to a bad filter before streaming anything', async () => {
    const response = await get(reader, '/admin/audit/export?action=nope');
    expect(response.statusCode).toBe(400);
  });
});

describe('tamper evidence', () => {
  it("refuses the API's own connection an UPDATE or DELETE of a row", async () => {
    const [row] = await app.db.select().from(auditEvents).limit(1);
    await expect(
      app.db.update(auditEvents).set({ data: {} }).where(eq(auditEvents.id, row!.id)),
    ).rejects.toThrow();
    await expect(app.db.delete(auditEvents).where(eq(auditEvents.id, row!.id))).rejects.toThrow();
    const [still] = await app.db.select().from(auditEvents).where(eq(auditEvents.id, row!.id));
    expect(still).toEqual(row);
  });

  it('verify answers ok, then names a row changed behind the triggers', async () => {
    await orgOwnedBy(await person(app));
    const clean = await get(reader, '/admin/audit/verify');
    expect(clean.statusCode).toBe(200);
    expect(Value.Check(AuditVerification, clean.json())).toBe(true);
    const count = await app.db.$count(auditEvents);
    expect(clean.json()).toMatchObject({ ok: true, checked: count, lastSeq: count });

    const [victim] = await app.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, 'org.created'))
      .orderBy(auditEvents.seq)
      .limit(1);
    await tamper(sql`update audit_events set actor_id = ${root.id} where id = ${victim!.id}`);
    try {
      const broken = await get(reader, '/admin/audit/verify');
      expect(broken.statusCode).toBe(200);
      expect(Value.Check(AuditVerification, broken.json())).toBe(true);
      expect(broken.json()).toMatchObject({
        ok: false,
        checked: victim!.seq - 1,
        broken: { id: victim!.id, seq: victim!.seq },
      });
      expect(broken.json().broken.reason).toMatch(/changed/);
    } finally {
      await tamper(
        sql`update audit_events set actor_id = ${victim!.actorId} where id = ${victim!.id}`,
      );
    }
    expect((await get(reader, '/admin/audit/verify')).json().ok).toBe(true);
  });
});
