import { hashPassword } from '@atrium/auth';
import { users } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ageAuthentication,
  auditOf,
  enableMfa,
  post,
  sidOf,
  testClock,
} from './auth-mfa-support.js';
import { bearer, STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  app = await testApp({ AUTH_RATE_LIMITS: 'off', REAUTH_WINDOW: '300' }, { clock: clock.now });
});
afterAll(() => app.dispose());

const STALE = 6 * 60; // seconds: past the default REAUTH_WINDOW of 5 minutes

describe('re-authentication for sensitive actions', () => {
  const changePassword = (token: string) =>
    app.inject({
      method: 'PUT',
      url: '/api/v1/auth/me/password',
      headers: bearer(token),
      payload: { currentPassword: STRONG_PASSWORD, newPassword: 'violet-harbor-quartz-mantle-58' },
    });

  it('refuses a session whose last check is older than REAUTH_WINDOW, then grants it after POST /auth/reauthenticate', async () => {
    const auth = await signUp(app);
    await ageAuthentication(app, auth.accessToken, STALE);
    const refused = await changePassword(auth.accessToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('reauthentication_required');
    const wrong = await post(app, '/auth/reauthenticate', auth.accessToken, {
      password: 'not-my-password-at-all',
    });
    expect(wrong.statusCode).toBe(401);
    expect((await changePassword(auth.accessToken)).statusCode).toBe(403);
    const renewed = await post(app, '/auth/reauthenticate', auth.accessToken, {
      password: STRONG_PASSWORD,
    });
    expect(renewed.statusCode).toBe(200);
    const { authenticatedAt, validUntil } = renewed.json();
    expect(Date.parse(validUntil) - Date.parse(authenticatedAt)).toBe(300_000);
    expect((await changePassword(auth.accessToken)).statusCode).toBe(204);
    expect(await auditOf(app, 'auth.reauthenticated', sidOf(auth.accessToken))).toHaveLength(1);
  });

  it('accepts a session just inside the window and refuses one just outside it', async () => {
    const auth = await signUp(app);
    await ageAuthentication(app, auth.accessToken, 290);
    const inside = await post(app, '/auth/mfa/recovery-codes', auth.accessToken);
    expect(inside.json().code).not.toBe('reauthentication_required');
    await ageAuthentication(app, auth.accessToken, 310);
    const outside = await post(app, '/auth/mfa/recovery-codes', auth.accessToken);
    expect(outside.json().code).toBe('reauthentication_required');
  });

  it('re-authenticates with a TOTP code when two-factor sign-in is on, once per code', async () => {
    const auth = await signUp(app);
    const { secret } = await enableMfa(app, clock, auth);
    await ageAuthentication(app, auth.accessToken, STALE);
    const code = clock.code(secret);
    expect((await post(app, '/auth/reauthenticate', auth.accessToken, { code })).statusCode).toBe(
      200,
    );
    await ageAuthentication(app, auth.accessToken, STALE);
    const replay = await post(app, '/auth/reauthenticate', auth.accessToken, { code });
    expect(replay.statusCode).toBe(401);
    clock.tick();
  });

  it('needs exactly one of password and code', async () => {
    const auth = await signUp(app);
    expect((await post(app, '/auth/reauthenticate', auth.accessToken, {})).statusCode).toBe(400);
    const both = await post(app, '/auth/reauthenticate', auth.accessToken, {
      password: STRONG_PASSWORD,
      code: '123456',
    });
    expect(both.statusCode).toBe(400);
    expect((await post(app, '/auth/reauthenticate', undefined, {})).statusCode).toBe(401);
  });

  it('leaves routes without the flag alone, however old the check', async () => {
    const auth = await signUp(app);
    await ageAuthentication(app, auth.accessToken, 86_400);
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(auth.accessToken),
    });
    expect(me.statusCode).toBe(200);
  });

  it.each([
    ['PUT', (id: string) => `/users/${id}/superuser`, { isSuperuser: false }],
    ['PUT', (id: string) => `/users/${id}/roles`, { roleIds: [] }],
    ['POST', () => '/auth/mfa/totp', undefined],
  ] as const)(
    'guards %s %s: refused when stale, granted when fresh',
    async (method, path, body) => {
      const admin = await signUp(app, { isSuperuser: true });
      const target = await signUp(app);
      const request = () =>
        app.inject({
          method,
          url: `/api/v1${path(target.user.id)}`,
          headers: bearer(admin.accessToken),
          ...(body ? { payload: body } : {}),
        });
      await ageAuthentication(app, admin.accessToken, STALE);
      const refused = await request();
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('reauthentication_required');
      await ageAuthentication(app, admin.accessToken, 0);
      expect((await request()).statusCode).toBe(200);
    },
  );

  it('guards DELETE /orgs/:orgId, after the membership check: a stranger hears 404, not a prompt', async () => {
    const owner = await signUp(app);
    const org = (await post(app, '/orgs', owner.accessToken, { name: 'Reauth Org' })).json();
    const del = (token: string) =>
      app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}`, headers: bearer(token) });
    const stranger = await signUp(app);
    await ageAuthentication(app, stranger.accessToken, STALE);
    expect((await del(stranger.accessToken)).statusCode).toBe(404);
    await ageAuthentication(app, owner.accessToken, STALE);
    expect((await del(owner.accessToken)).json().code).toBe('reauthentication_required');
    await post(app, '/auth/reauthenticate', owner.accessToken, { password: STRONG_PASSWORD });
    expect((await del(owner.accessToken)).statusCode).toBe(204);
  });

  it('documents the requirement in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const put = doc.paths['/api/v1/auth/me/password'].put;
    expect(put.description).toContain('reauthentication_required');
    expect(doc.paths['/api/v1/auth/me'].get.description ?? '').not.toContain('reauthentication');
  });
});

describe('rehash on login', () => {
  const login = () => (email: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: email, password: STRONG_PASSWORD },
    });
  const storedHash = async (id: string) =>
    (await app.db.select({ h: users.passwordHash }).from(users).where(eq(users.id, id)))[0]!.h!;

  it('replaces a hash made with weaker parameters once, then leaves it alone', async () => {
    const auth = await signUp(app);
    const weak = await hashPassword(STRONG_PASSWORD, {
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await app.db.update(users).set({ passwordHash: weak }).where(eq(users.id, auth.user.id));
    expect((await login()(auth.user.email)).statusCode).toBe(200);
    const rehashed = await storedHash(auth.user.id);
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login()(auth.user.email)).statusCode).toBe(200);
    expect(await storedHash(auth.user.id)).toBe(rehashed);
  });

  it('does not rehash on a wrong password', async () => {
    const auth = await signUp(app);
    const weak = await hashPassword(STRONG_PASSWORD, {
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    await app.db.update(users).set({ passwordHash: weak }).where(eq(users.id, auth.user.id));
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: auth.user.email, password: 'wrong-password-entirely' },
    });
    expect(res.statusCode).toBe(401);
    expect(await storedHash(auth.user.id)).toBe(weak);
  });
});

describe('MFA_REQUIRED_FOR', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await testApp(
      { AUTH_RATE_LIMITS: 'off', MFA_REQUIRED_FOR: 'superuser,users:read' },
      {
        clock: clock.now,
      },
    );
  });
  afterAll(() => strict.dispose());
  const get = (url: string, token: string) =>
    strict.inject({ method: 'GET', url: `/api/v1${url}`, headers: bearer(token) });

  it('refuses a superuser without two-factor sign-in their protected routes until they enrol', async () => {
    const admin = await signUp(strict, { isSuperuser: true });
    const refused = await get('/users', admin.accessToken);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('mfa_enrollment_required');
    expect((await get('/roles', admin.accessToken)).json().code).toBe('mfa_enrollment_required');
    expect((await get('/auth/me', admin.accessToken)).statusCode).toBe(200);
    await enableMfa(strict, clock, admin);
    expect((await get('/users', admin.accessToken)).statusCode).toBe(200);
  });

  it('refuses a holder of a listed permission on its routes only', async () => {
    const reader = await signUp(strict, { permissions: ['users:read', 'roles:read'] });
    expect((await get('/users', reader.accessToken)).json().code).toBe('mfa_enrollment_required');
    expect((await get('/roles', reader.accessToken)).statusCode).toBe(200);
  });

  it('leaves users without listed privileges alone, and refuses to turn a covered account’s 2FA off', async () => {
    const plain = await signUp(strict, { permissions: ['roles:read'] });
    expect((await get('/roles', plain.accessToken)).statusCode).toBe(200);
    expect((await get('/users', plain.accessToken)).json().code).toBe('forbidden');
    const admin = await signUp(strict, { isSuperuser: true });
    await enableMfa(strict, clock, admin);
    const off = await post(strict, '/auth/mfa/totp/disable', admin.accessToken, {
      password: STRONG_PASSWORD,
    });
    expect(off.statusCode).toBe(403);
  });
});
