import { auditEvents } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, emailedToken, STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

// PATCH /users/{id}: an administrator's edit of profile, email, active flag and the demand for a
// new password at the next sign-in; audited in the change's transaction.

let app: TestApp;
let admin: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  app = await testApp({ AUTH_SESSION_CACHE_MS: '0' });
  admin = await signUp(app, { permissions: ['users:read', 'users:write'] });
});
afterAll(() => app.dispose());

const patch = (id: string, payload: object, token = admin.accessToken) =>
  app.inject({
    method: 'PATCH',
    url: `/api/v1/users/${id}`,
    headers: bearer(token),
    payload,
  });
const login = (loginName: string, password = STRONG_PASSWORD) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login: loginName, password },
  });
const me = (token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
const auditRows = (targetId: string) =>
  app.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetId, targetId), eq(auditEvents.action, 'admin.user.updated')));

describe('PATCH /users/{id}', () => {
  it('edits the profile fields given and leaves the others, with one audit row', async () => {
    const target = await signUp(app);
    const res = await patch(target.user.id, { fullName: 'Ada Lovelace', bio: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: target.user.id,
      fullName: 'Ada Lovelace',
      bio: null,
      username: target.user.username,
      email: target.user.email,
    });
    const rows = await auditRows(target.user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: admin.user.id,
      actorIp: '127.0.0.1',
      targetType: 'user',
      data: { fields: ['bio', 'fullName'] },
    });
  });

  it('moves the account to a new email, unverified, and signs in with it', async () => {
    const target = await signUp(app);
    await app.db.execute(
      sql`update users set email_verified_at = now() where id = ${target.user.id}`,
    );
    const email = `moved-${Date.now()}@example.com`;
    const res = await patch(target.user.id, { email });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email, emailVerified: false });
    expect((await login(email)).statusCode).toBe(200);
    const [row] = await auditRows(target.user.id);
    expect(row?.data).toMatchObject({ email: { from: target.user.email, to: email } });
  });

  it('answers 409 for an email or username another account has, and changes nothing', async () => {
    const target = await signUp(app);
    const other = await signUp(app);
    for (const payload of [
      { email: other.user.email.toUpperCase() },
      { username: other.user.username },
    ]) {
      const res = await patch(target.user.id, payload);
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('conflict');
    }
    expect((await me(target.accessToken)).json().email).toBe(target.user.email);
    expect(await auditRows(target.user.id)).toHaveLength(0);
  });

  it('isActive false ends every session; true lets the user sign in again', async () => {
    const target = await signUp(app);
    expect((await patch(target.user.id, { isActive: false })).json().isActive).toBe(false);
    expect((await me(target.accessToken)).statusCode).toBe(401);
    expect((await login(target.user.email)).statusCode).toBe(401);
    expect((await patch(target.user.id, { isActive: true })).json().isActive).toBe(true);
    expect((await login(target.user.email)).statusCode).toBe(200);
  });

  it('passwordResetRequired ends the sessions and makes sign-in answer 403 until a reset', async () => {
    const target = await signUp(app);
    const res = await patch(target.user.id, { passwordResetRequired: true });
    expect(res.json().passwordResetRequired).toBe(true);
    expect((await me(target.accessToken)).statusCode).toBe(401);

    const refused = await login(target.user.email);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('password_reset_required');
    expect(refused.json().detail).toContain('/auth/password-reset/request');
    // A wrong password still answers as one: the demand is not told to guessers.
    expect((await login(target.user.email, 'wrong-password-123')).json().code).toBe(
      'invalid_credentials',
    );

    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/request',
      payload: { email: target.user.email },
    });
    const token = await emailedToken(app, target.user.email, 'password-reset');
    const newPassword = 'granite-meadow-falcon-river-71';
    const reset = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token, newPassword },
    });
    expect(reset.statusCode).toBe(204);
    const signedIn = await login(target.user.email, newPassword);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().user.passwordResetRequired).toBe(false);
  });

  it('refuses to disable the last active superuser with 409', async () => {
    const root = await signUp(app, { isSuperuser: true });
    await app.db.execute(
      sql`update users set is_active = false where is_superuser and id <> ${root.user.id}`,
    );
    const res = await patch(root.user.id, { isActive: false }, root.accessToken);
    expect(res.statusCode).toBe(409);
    expect((await me(root.accessToken)).statusCode).toBe(200);
  });

  it('lets only superusers edit a superuser (403 to a users:write holder)', async () => {
    const root = await signUp(app, { isSuperuser: true });
    const res = await patch(root.user.id, { fullName: 'Not allowed' });
    expect(res.statusCode).toBe(403);
    const bySuperuser = await patch(root.user.id, { fullName: 'Root' }, root.accessToken);
    expect(bySuperuser.statusCode).toBe(200);
  });

  it('answers 403 to a user without users:write, and writes no audit row', async () => {
    const target = await signUp(app);
    const reader = await signUp(app, { permissions: ['users:read'] });
    const res = await patch(target.user.id, { fullName: 'X' }, reader.accessToken);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
    expect(await auditRows(target.user.id)).toHaveLength(0);
  });

  it.each([
    [{}],
    [{ isSuperuser: true }],
    [{ passwordHash: 'x' }],
    [{ email: 'not-an-email' }],
    [{ isActive: 'no' }],
    [{ username: 'a' }],
  ])('refuses %j with 400', async (payload) => {
    const target = await signUp(app);
    const res = await patch(target.user.id, payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 404 for an unknown user and 400 for a malformed id', async () => {
    expect((await patch('01900000-0000-7000-8000-000000000000', { bio: 'x' })).statusCode).toBe(
      404,
    );
    expect((await patch('nope', { bio: 'x' })).statusCode).toBe(400);
  });

  it('needs a signed-in caller', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${admin.user.id}`,
      payload: { bio: 'x' },
    });
    expect(res.statusCode).toBe(401);
  });
});
