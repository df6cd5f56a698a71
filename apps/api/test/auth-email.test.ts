import { auditEvents, outbox } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, emailedToken, STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

// Verification resend, EMAIL_VERIFICATION_REQUIRED, and the change of email address.

let app: TestApp;
beforeAll(async () => {
  app = await testApp({ EMAIL_VERIFICATION_REQUIRED: 'true', AUTH_SESSION_CACHE_MS: '0' });
});
afterAll(() => app.dispose());

let n = 0;
/** A client address per test: the per-IP route limits then count one test's requests only. */
let ip = '127.0.0.1';
let ips = 0;
beforeEach(() => {
  ips += 1;
  ip = `10.9.${Math.floor(ips / 250)}.${(ips % 250) + 1}`;
});
const address = (tag: string) => `${tag}${++n}-${Date.now()}@example.com`;
const post = (url: string, token?: string, payload?: object) =>
  app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: token ? bearer(token) : {},
    remoteAddress: ip,
    ...(payload ? { payload } : {}),
  });
const me = async (token: string) =>
  (await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) })).json();
const verify = (token: string) => post('/auth/verify-email', undefined, { token });

async function emailsTo(to: string, template: string) {
  const rows = await app.db
    .select({ payload: outbox.payload })
    .from(outbox)
    .where(sql`${outbox.payload}->>'to' = ${to} and ${outbox.payload}->>'template' = ${template}`);
  return rows.map((r) => r.payload as { data: Record<string, string> });
}
const auditOf = (userId: string) =>
  app.db.select().from(auditEvents).where(eq(auditEvents.targetId, userId));

async function verified(tag = 'v') {
  const auth = await signUp(app, { email: address(tag) });
  await app.db.execute(sql`update users set email_verified_at = now() where id = ${auth.user.id}`);
  return auth;
}

describe('POST /auth/verify-email/resend', () => {
  it('emails a new verification link that verifies the address', async () => {
    const { accessToken, user } = await signUp(app, { email: address('resend') });
    const res = await post('/auth/verify-email/resend', accessToken);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted' });
    const token = await emailedToken(app, user.email, 'email-verification');
    expect((await verify(token)).statusCode).toBe(204);
    expect((await me(accessToken)).emailVerified).toBe(true);
  });

  it('answers 409 when the address is verified already, and sends nothing', async () => {
    const { accessToken, user } = await verified('done');
    const res = await post('/auth/verify-email/resend', accessToken);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('conflict');
    expect(await emailsTo(user.email, 'email-verification')).toHaveLength(0);
  });

  it('needs a signed-in caller', async () => {
    expect((await post('/auth/verify-email/resend')).statusCode).toBe(401);
  });

  it('is rate limited per IP with 429 and Retry-After', async () => {
    const limited = await testApp({ AUTH_SESSION_CACHE_MS: '0' });
    try {
      const { accessToken } = await signUp(limited);
      const send = () =>
        limited.inject({
          method: 'POST',
          url: '/api/v1/auth/verify-email/resend',
          headers: { ...bearer(accessToken), 'x-forwarded-for': '203.0.113.9' },
        });
      for (let i = 0; i < 5; i++) expect((await send()).statusCode).toBe(202);
      const refused = await send();
      expect(refused.statusCode).toBe(429);
      expect(refused.json().code).toBe('rate_limited');
      expect(refused.headers['retry-after']).toBeDefined();
    } finally {
      await limited.dispose();
    }
  });
});

describe('EMAIL_VERIFICATION_REQUIRED=true', () => {
  it('refuses org creation and messaging with 403 email_not_verified until verified', async () => {
    const sender = await signUp(app, { email: address('unverified') });
    const recipient = await verified('recipient');
    const createOrg = () => post('/orgs', sender.accessToken, { name: 'Blocked Org' });
    const send = () =>
      post('/messages', sender.accessToken, { recipientId: recipient.user.id, content: 'hi' });
    for (const res of [await createOrg(), await send()]) {
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('email_not_verified');
      expect(res.json().detail).toContain('/auth/verify-email/resend');
    }
    await post('/auth/verify-email/resend', sender.accessToken);
    await verify(await emailedToken(app, sender.user.email, 'email-verification'));
    expect((await createOrg()).statusCode).toBe(201);
    expect((await send()).statusCode).toBe(201);
  });

  it('refuses a reply in a conversation from an unverified user, and accepts it once verified', async () => {
    const starter = await verified('starter');
    const other = await signUp(app, { email: address('replier') });
    const first = await post('/messages', starter.accessToken, {
      recipientId: other.user.id,
      content: 'hello',
    });
    expect(first.statusCode).toBe(201);
    const url = `/conversations/${first.json().conversationId}/messages`;
    const refused = await post(url, other.accessToken, { content: 'hi back' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('email_not_verified');
    await app.db.execute(
      sql`update users set email_verified_at = now() where id = ${other.user.id}`,
    );
    expect((await post(url, other.accessToken, { content: 'hi back' })).statusCode).toBe(201);
  });

  it('leaves reading alone: an unverified user still lists orgs and messages', async () => {
    const { accessToken } = await signUp(app, { email: address('reader') });
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/orgs', headers: bearer(accessToken) }))
        .statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/messages', headers: bearer(accessToken) }))
        .statusCode,
    ).toBe(200);
  });

  it('is off by default: an unverified user creates an org', async () => {
    const open = await testApp();
    try {
      const { accessToken } = await signUp(open);
      const res = await open.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: bearer(accessToken),
        payload: { name: 'Open Org' },
      });
      expect(res.statusCode).toBe(201);
    } finally {
      await open.dispose();
    }
  });
});

describe('changing the email address', () => {
  it('emails a token to the new address and a notice to the old one; confirming switches it', async () => {
    const { accessToken, user } = await verified('old');
    const newEmail = address('new');
    const res = await post('/auth/me/email', accessToken, { newEmail });
    expect(res.statusCode).toBe(202);
    // Nothing changes until the new address confirms.
    expect((await me(accessToken)).email).toBe(user.email);
    const [notice] = await emailsTo(user.email, 'email-change-notice');
    expect(notice?.data.newEmail).toBe(newEmail);
    expect(JSON.stringify(notice)).not.toMatch(/token/);
    const token = await emailedToken(app, newEmail, 'email-change');
    const confirmed = await post('/auth/me/email/confirm', undefined, { token });
    expect(confirmed.statusCode).toBe(204);
    const after = await me(accessToken);
    expect(after.email).toBe(newEmail);
    expect(after.emailVerified).toBe(true);
    // Signs in with the new address, not the old one.
    const login = (login: string) =>
      post('/auth/login', undefined, { login, password: STRONG_PASSWORD });
    expect((await login(newEmail)).statusCode).toBe(200);
    expect((await login(user.email)).statusCode).toBe(401);
  });

  it('writes one audit row for the request and one for the change, without the token', async () => {
    const { accessToken, user } = await verified('audited');
    const newEmail = address('audited-new');
    await post('/auth/me/email', accessToken, { newEmail });
    const token = await emailedToken(app, newEmail, 'email-change');
    await post('/auth/me/email/confirm', undefined, { token });
    const rows = await auditOf(user.id);
    expect(rows.map((r) => r.action).sort()).toEqual([
      'auth.email.change.requested',
      'auth.email.changed',
    ]);
    const changed = rows.find((r) => r.action === 'auth.email.changed')!;
    expect(changed).toMatchObject({ actorId: user.id, targetType: 'user', actorIp: ip });
    expect(changed.data).toEqual({ from: user.email, to: newEmail });
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('refuses a used, unknown or superseded token with 400 and changes nothing', async () => {
    const { accessToken, user } = await verified('reuse');
    const first = address('first');
    await post('/auth/me/email', accessToken, { newEmail: first });
    const firstToken = await emailedToken(app, first, 'email-change');
    const second = address('second');
    await post('/auth/me/email', accessToken, { newEmail: second });
    // A newer request replaces the older link.
    const stale = await post('/auth/me/email/confirm', undefined, { token: firstToken });
    expect(stale.statusCode).toBe(400);
    expect((await me(accessToken)).email).toBe(user.email);
    const token = await emailedToken(app, second, 'email-change');
    expect((await post('/auth/me/email/confirm', undefined, { token })).statusCode).toBe(204);
    expect((await post('/auth/me/email/confirm', undefined, { token })).statusCode).toBe(400);
    const unknown = await post('/auth/me/email/confirm', undefined, { token: 'x'.repeat(43) });
    expect(unknown.statusCode).toBe(400);
    // A verification token is not an email-change token.
    const other = await signUp(app, { email: address('other') });
    await post('/auth/verify-email/resend', other.accessToken);
    const verification = await emailedToken(app, other.user.email, 'email-verification');
    expect(
      (await post('/auth/me/email/confirm', undefined, { token: verification })).statusCode,
    ).toBe(400);
  });

  it('answers 409 for an address another account has, at request and at confirmation', async () => {
    const { accessToken } = await verified('clash');
    const taken = await verified('taken');
    const res = await post('/auth/me/email', accessToken, {
      newEmail: taken.user.email.toUpperCase(),
    });
    expect(res.statusCode).toBe(409);
    // Free when asked, taken by a sign-up before the link is used.
    const later = address('later');
    await post('/auth/me/email', accessToken, { newEmail: later });
    const token = await emailedToken(app, later, 'email-change');
    await signUp(app, { email: later });
    const confirmed = await post('/auth/me/email/confirm', undefined, { token });
    expect(confirmed.statusCode).toBe(409);
    expect(confirmed.json().code).toBe('conflict');
  });

  it('refuses the current address, a malformed one and unknown fields with 400', async () => {
    const { accessToken, user } = await verified('bad');
    for (const payload of [
      { newEmail: user.email },
      { newEmail: 'not-an-email' },
      { newEmail: address('x'), isSuperuser: true },
      {},
    ]) {
      const res = await post('/auth/me/email', accessToken, payload);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('needs a signed-in caller to ask', async () => {
    expect(
      (await post('/auth/me/email', undefined, { newEmail: address('anon') })).statusCode,
    ).toBe(401);
  });

  it('never lets another user’s token move the wrong account', async () => {
    const alice = await verified('alice');
    const bob = await verified('bob');
    const target = address('target');
    await post('/auth/me/email', alice.accessToken, { newEmail: target });
    const token = await emailedToken(app, target, 'email-change');
    // Bob confirming with Alice's link moves Alice (the token names its account), never Bob.
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/me/email/confirm',
      headers: bearer(bob.accessToken),
      remoteAddress: ip,
      payload: { token },
    });
    expect(res.statusCode).toBe(204);
    expect((await me(bob.accessToken)).email).toBe(bob.user.email);
    expect((await me(alice.accessToken)).email).toBe(target);
    const rows = await app.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.targetId, bob.user.id), eq(auditEvents.action, 'auth.email.changed')),
      );
    expect(rows).toHaveLength(0);
  });
});
