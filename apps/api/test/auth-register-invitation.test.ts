import { invitations, memberships, outbox, users } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, emailedToken, STRONG_PASSWORD, type TestApp } from './auth-support.js';
import { testApp } from './support.js';
import { type Person, person } from './tenant-support.js';

// Sign-up with an invitation token: the account, its verified email and the membership in one
// transaction, through the same acceptance rule as POST /invitations/accept.

let app: TestApp;
let owner: Person;
let orgId: string;
beforeAll(async () => {
  app = await testApp({ EMAIL_VERIFICATION_REQUIRED: 'true', AUTH_SESSION_CACHE_MS: '0' });
  owner = await person(app);
  await app.db.execute(sql`update users set email_verified_at = now() where id = ${owner.id}`);
  const org = await app.inject({
    method: 'POST',
    url: '/api/v1/orgs',
    headers: owner.headers,
    payload: { name: 'Sign-up Org' },
  });
  orgId = org.json().id;
});
afterAll(() => app.dispose());

let n = 0;
let ip = '127.0.0.1';
beforeEach(() => {
  n += 1;
  ip = `10.8.0.${n}`;
});
const address = (tag: string) => `${tag}${n}-${Date.now()}@example.com`;

async function invite(email: string, role = 'member') {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${orgId}/invitations`,
    headers: owner.headers,
    payload: { email, role },
  });
  expect(res.statusCode).toBe(201);
  return emailedToken(app, email, 'org-invitation');
}

const register = (payload: Record<string, unknown>) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    remoteAddress: ip,
    payload: { password: STRONG_PASSWORD, ...payload },
  });

const accountOf = async (email: string) =>
  (
    await app.db
      .select()
      .from(users)
      .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
  )[0];

async function membership(userId: string) {
  const [row] = await app.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return row?.role;
}

const verificationEmails = async (to: string) =>
  (
    await app.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        sql`${outbox.payload}->>'to' = ${to} and ${outbox.payload}->>'template' = 'email-verification'`,
      )
  ).length;

describe('POST /auth/register with an invitation token', () => {
  it('creates the account verified, joins the org in the invited role, and spends the invitation', async () => {
    const email = address('invited');
    const token = await invite(email, 'admin');
    const res = await register({ email, invitationToken: token });
    expect(res.statusCode).toBe(201);
    const { user, accessToken } = res.json();
    expect(user.emailVerified).toBe(true);
    expect(await membership(user.id)).toBe('admin');
    expect(await verificationEmails(email)).toBe(0);
    // The org is readable at once, and verified-only actions are open.
    const org = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${orgId}`,
      headers: bearer(accessToken),
    });
    expect(org.json()).toMatchObject({ id: orgId, role: 'admin' });
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers: bearer(accessToken),
      payload: { name: 'Own Org' },
    });
    expect(created.statusCode).toBe(201);
    const [row] = await app.db
      .select({ acceptedAt: invitations.acceptedAt })
      .from(invitations)
      .where(eq(sql`lower(${invitations.email})`, email.toLowerCase()));
    expect(row?.acceptedAt).not.toBeNull();
  });

  it('matches the invited address in any case', async () => {
    const email = address('Case');
    const token = await invite(email);
    const res = await register({ email: email.toUpperCase(), invitationToken: token });
    expect(res.statusCode).toBe(201);
    expect(await membership(res.json().user.id)).toBe('member');
  });

  it('creates nothing for an unknown token: 404, no account', async () => {
    const email = address('unknown');
    const res = await register({ email, invitationToken: 'n'.repeat(43) });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(await accountOf(email)).toBeUndefined();
  });

  it('creates nothing when the invitation was sent to another address: 403, invitation left pending', async () => {
    const invited = address('invitee');
    const token = await invite(invited);
    const other = address('interloper');
    const res = await register({ email: other, invitationToken: token });
    expect(res.statusCode).toBe(403);
    expect(await accountOf(other)).toBeUndefined();
    // The rightful invitee can still use it.
    const ok = await register({ email: invited, invitationToken: token });
    expect(ok.statusCode).toBe(201);
    expect(await membership(ok.json().user.id)).toBe('member');
  });

  it('refuses a spent or revoked invitation with 404 and creates no account', async () => {
    const email = address('twice');
    const token = await invite(email);
    expect((await register({ email, invitationToken: token })).statusCode).toBe(201);
    const again = address('twice-other');
    expect((await register({ email: again, invitationToken: token })).statusCode).toBe(404);
    expect(await accountOf(again)).toBeUndefined();

    const revokedEmail = address('revoked');
    const revokedToken = await invite(revokedEmail);
    await app.db
      .update(invitations)
      .set({ revokedAt: sql`now()` })
      .where(eq(sql`lower(${invitations.email})`, revokedEmail.toLowerCase()));
    expect(
      (await register({ email: revokedEmail, invitationToken: revokedToken })).statusCode,
    ).toBe(404);
    expect(await accountOf(revokedEmail)).toBeUndefined();
  });

  it('keeps the invitation when the account cannot be created (weak password, taken email)', async () => {
    const email = address('weak');
    const token = await invite(email);
    const weak = await register({ email, password: 'password', invitationToken: token });
    expect(weak.statusCode).toBe(400);
    expect((await register({ email, invitationToken: token })).statusCode).toBe(201);
  });

  it('refuses a malformed token with a field error', async () => {
    const res = await register({ email: address('bad'), invitationToken: '' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });

  it('without a token, signs up as before: unverified, a verification email, no membership', async () => {
    const email = address('plain');
    const res = await register({ email });
    expect(res.statusCode).toBe(201);
    expect(res.json().user.emailVerified).toBe(false);
    expect(await verificationEmails(email)).toBe(1);
    expect(await membership(res.json().user.id)).toBeUndefined();
  });
});
