import { outbox } from '@atrium/db';
import { and, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { emailedToken } from './auth-support.js';
import { testApp, testConfig } from './support.js';
import { addMember, type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.dispose());

const api = (who: Person, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, headers: who.headers, payload });

let orgs = 0;
async function orgOwnedBy(owner: Person) {
  orgs += 1;
  const org = await api(owner, 'POST', '/orgs', { name: `Invitations ${orgs}` });
  return org.json() as { id: string };
}

const invite = (who: Person, orgId: string, email: string, role = 'member') =>
  api(who, 'POST', `/orgs/${orgId}/invitations`, { email, role });

let addresses = 0;
/** An address no other test uses, so the per-address limit counts this test's invitations only. */
const freshAddress = () => `invitee${++addresses}-${Date.now()}@example.com`;

/** The token exists only in the email job's payload, read from the outbox. */
const invitationToken = (email: string) => emailedToken(app, email, 'org-invitation');

/** Invitation emails queued for `email` (from any org). */
async function emailsTo(email: string) {
  const rows = await app.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        sql`${outbox.payload}->>'template' = 'org-invitation'`,
        sql`lower(${outbox.payload}->>'to') = ${email.toLowerCase()}`,
      ),
    );
  return rows.length;
}

async function invitationRows(orgId: string, email?: string) {
  const rows = await app.db.execute(
    sql`select count(*)::int as n from invitations where org_id = ${orgId}
        and (${email ?? null}::text is null or lower(email) = lower(${email ?? null}::text))`,
  );
  return Number(/"n":(\d+)/.exec(JSON.stringify(rows))![1]);
}

/** Moves the org's invitations 11 minutes into the past: beyond the re-send cool-down. */
const pastCoolDown = (orgId: string) =>
  app.db.execute(
    sql`update invitations set created_at = created_at - interval '11 minutes' where org_id = ${orgId}`,
  );

const expectRateLimited = (response: Awaited<ReturnType<typeof api>>, maxSeconds: number) => {
  expect(response.statusCode, response.body).toBe(429);
  expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(response.json().code).toBe('rate_limited');
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
};

describe('invitations', () => {
  it('flows end to end: invite, email, accept by the invited address, membership', async () => {
    const [owner, admin] = [await person(app), await person(app)];
    const org = await orgOwnedBy(owner);
    await addMember(app, org.id, admin, 'admin');
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
    const org = await orgOwnedBy(owner);
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
    const org = await orgOwnedBy(owner);
    const email = 'ada@example.com';
    await api(owner, 'POST', `/orgs/${org.id}/invitations`, { email, role: 'viewer' });
    const first = await invitationToken(email);
    await pastCoolDown(org.id);
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

    await pastCoolDown(org.id);
    await api(owner, 'POST', `/orgs/${org.id}/invitations`, { email, role: 'member' });
    const third = await invitationToken(email);
    const pending = (await api(owner, 'GET', `/orgs/${org.id}/invitations`)).json().items[0];
    expect(
      (await api(owner, 'DELETE', `/orgs/${org.id}/invitations/${pending.id}`)).statusCode,
    ).toBe(204);
    expect((await api(ada, 'POST', '/invitations/accept', { token: third })).statusCode).toBe(404);
  });
});

describe('adding someone, for a known and an unknown address', () => {
  it('answers the same, whether or not the address has an account', async () => {
    const [owner, known] = [await person(app), await person(app)];
    const org = await orgOwnedBy(owner);
    const unknown = freshAddress();
    const shape = (r: Awaited<ReturnType<typeof api>>) => ({
      status: r.statusCode,
      type: r.headers['content-type'],
      keys: Object.keys(r.json()).sort(),
      code: r.json().code,
    });
    // Every route an org admin could use to bring someone in.
    for (const [url, payload] of [
      [`/orgs/${org.id}/members`, (email: string) => ({ email, role: 'member' })],
      [`/orgs/${org.id}/invitations`, (email: string) => ({ email, role: 'member' })],
    ] as const) {
      const forKnown = await api(owner, 'POST', url, payload(known.email));
      const forUnknown = await api(owner, 'POST', url, payload(unknown));
      expect(shape(forKnown), url).toEqual(shape(forUnknown));
      expect(forKnown.statusCode, url).not.toBe(500);
    }
    expect([await emailsTo(known.email), await emailsTo(unknown)]).toEqual([1, 1]);
  });
});

describe('invitation limits', () => {
  it('lets one org send 20 invitations an hour, then answers 429 and sends nothing', async () => {
    const owner = await person(app);
    const org = await orgOwnedBy(owner);
    for (let i = 0; i < 20; i++) {
      expect((await invite(owner, org.id, freshAddress())).statusCode).toBe(201);
    }
    const over = freshAddress();
    expectRateLimited(await invite(owner, org.id, over), 3600);
    expect(await emailsTo(over)).toBe(0);
    expect(await invitationRows(org.id)).toBe(20);
  });

  it('lets one address receive 3 invitations a day across orgs, then answers 429', async () => {
    const target = freshAddress();
    const owners = await Promise.all([1, 2, 3, 4].map(() => person(app)));
    const statuses = [];
    let last: Awaited<ReturnType<typeof api>> | undefined;
    for (const owner of owners) {
      last = await invite(owner, (await orgOwnedBy(owner)).id, target);
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expectRateLimited(last!, 24 * 3600);
    expect(await emailsTo(target)).toBe(3);
  });

  it('does not re-send to one address within 10 minutes; after that, replaces the invitation', async () => {
    const owner = await person(app);
    const org = await orgOwnedBy(owner);
    const email = freshAddress();
    expect((await invite(owner, org.id, email)).statusCode).toBe(201);
    expectRateLimited(await invite(owner, org.id, email.toUpperCase(), 'viewer'), 600);
    expect(await emailsTo(email)).toBe(1);

    await pastCoolDown(org.id);
    const again = await invite(owner, org.id, email, 'viewer');
    expect(again.statusCode).toBe(201);
    const pending = (await api(owner, 'GET', `/orgs/${org.id}/invitations`)).json().items;
    expect(pending.map((i: { id: string; role: string }) => [i.id, i.role])).toEqual([
      [again.json().id, 'viewer'],
    ]);
    expect(await emailsTo(email)).toBe(2);
  });
});

describe('concurrent invitations', () => {
  it('gives ten concurrent invitations to one address one invitation and no 5xx', async () => {
    const owner = await person(app);
    const org = await orgOwnedBy(owner);
    const email = freshAddress();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => invite(owner, org.id, email)),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(429)]);
    expect(await invitationRows(org.id, email)).toBe(1);
    expect(await emailsTo(email)).toBe(1);
  });
});

describe('on embedded PGlite', () => {
  it('serializes invitations to one address just as on PostgreSQL', async () => {
    const embedded = await buildApp(testConfig());
    try {
      const owner = await person(embedded as typeof app);
      const org = await embedded.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: owner.headers,
        payload: { name: 'Embedded' },
      });
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          embedded.inject({
            method: 'POST',
            url: `/api/v1/orgs/${org.json().id}/invitations`,
            headers: owner.headers,
            payload: { email: 'someone@example.com', role: 'viewer' },
          }),
        ),
      );
      expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 429, 429, 429, 429]);
    } finally {
      await embedded.close();
    }
  });
});
