import { auditEvents, sessions, users } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableMfa, post, sidOf, testClock } from './auth-mfa-support.js';
import { bearer, emailedToken, STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  app = await testApp({ AUTH_RATE_LIMITS: 'off', LOGIN_IP_FAILURES: '3' }, { clock: clock.now });
});
afterAll(() => app.dispose());

const NEW_PASSWORD = 'violet-harbor-quartz-mantle-58';
let ipCounter = 0;
/** An address of the test's own, so its rows are told apart by `actorIp`. */
const freshIp = () => `10.23.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`;

const rowsFrom = (ip: string) =>
  app.db
    .select({
      action: auditEvents.action,
      actorId: auditEvents.actorId,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      data: auditEvents.data,
    })
    .from(auditEvents)
    .where(eq(auditEvents.actorIp, ip))
    .orderBy(auditEvents.id);

const login = (email: string, password: string, remoteAddress: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login: email, password },
    remoteAddress,
  });
const as = (
  token: string,
  remoteAddress: string,
  method: 'POST' | 'PUT',
  url: string,
  payload?: object,
) =>
  app.inject({
    method,
    url: `/api/v1${url}`,
    headers: bearer(token),
    remoteAddress,
    ...(payload ? { payload } : {}),
  });

describe('every auth event writes exactly one audit row', () => {
  it('a sign-in: login.succeeded about the new session, by the user', async () => {
    const auth = await signUp(app);
    const ip = freshIp();
    const res = await login(auth.user.email, STRONG_PASSWORD, ip);
    expect(await rowsFrom(ip)).toEqual([
      {
        action: 'auth.login.succeeded',
        actorId: auth.user.id,
        targetType: 'session',
        targetId: sidOf(res.json().accessToken),
        data: { method: 'password' },
      },
    ]);
  });

  it('a wrong password: login.failed with its reason; an unknown account: no actor', async () => {
    const auth = await signUp(app);
    const ip = freshIp();
    await login(auth.user.email, 'wrong-password-entirely', ip);
    await login(`nobody-${Date.now()}@example.com`, 'wrong-password-entirely', ip);
    expect(await rowsFrom(ip)).toEqual([
      expect.objectContaining({
        action: 'auth.login.failed',
        actorId: auth.user.id,
        targetId: auth.user.id,
        data: { reason: 'bad_password', during: 'login' },
      }),
      expect.objectContaining({
        action: 'auth.login.failed',
        actorId: null,
        targetId: null,
        data: { reason: 'unknown_account', during: 'login' },
      }),
    ]);
  });

  it('a disabled account signing in with the right password: login.failed, reason disabled', async () => {
    const auth = await signUp(app);
    await app.db.update(users).set({ isActive: false }).where(eq(users.id, auth.user.id));
    const ip = freshIp();
    expect((await login(auth.user.email, STRONG_PASSWORD, ip)).statusCode).toBe(401);
    expect((await rowsFrom(ip)).map((r) => r.data)).toEqual([
      { reason: 'disabled', during: 'login' },
    ]);
  });

  it('a lockout: one row when the budget is spent, none for the refusals after it', async () => {
    const auth = await signUp(app);
    const ip = freshIp();
    const codes = [];
    for (let i = 0; i < 5; i += 1) {
      codes.push((await login(auth.user.email, 'wrong-password-entirely', ip)).statusCode);
    }
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    const rows = await rowsFrom(ip);
    expect(rows.map((r) => r.action)).toEqual([
      'auth.login.failed',
      'auth.login.failed',
      'auth.login.failed',
      'auth.lockout',
    ]);
    expect(rows[3]!.data).toEqual({ scope: 'ip' });
  });

  it('logout and logout-all', async () => {
    const auth = await signUp(app);
    const other = (await login(auth.user.email, STRONG_PASSWORD, freshIp())).json();
    const ip = freshIp();
    expect((await as(other.accessToken, ip, 'POST', '/auth/logout')).statusCode).toBe(204);
    expect((await as(auth.accessToken, ip, 'POST', '/auth/logout-all')).statusCode).toBe(204);
    expect(await rowsFrom(ip)).toEqual([
      expect.objectContaining({
        action: 'auth.logout',
        actorId: auth.user.id,
        targetId: sidOf(other.accessToken),
      }),
      expect.objectContaining({
        action: 'auth.logout.all',
        targetId: auth.user.id,
        data: { sessions: 1 },
      }),
    ]);
  });

  it('a password change and a password reset', async () => {
    const auth = await signUp(app);
    const ip = freshIp();
    const changed = await as(auth.accessToken, ip, 'PUT', '/auth/me/password', {
      currentPassword: STRONG_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.statusCode).toBe(204);
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/request',
      payload: { email: auth.user.email },
    });
    const token = await emailedToken(app, auth.user.email, 'password-reset');
    const reset = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/confirm',
      payload: { token, newPassword: STRONG_PASSWORD },
      remoteAddress: ip,
    });
    expect(reset.statusCode).toBe(204);
    expect((await rowsFrom(ip)).map((r) => [r.action, r.actorId, r.targetId])).toEqual([
      ['auth.password.changed', auth.user.id, auth.user.id],
      ['auth.password.reset', auth.user.id, auth.user.id],
    ]);
  });

  it('re-authentication and each 2FA change; secrets and codes never in the rows', async () => {
    const auth = await signUp(app);
    const { secret, recoveryCodes } = await enableMfa(app, clock, auth);
    const ip = freshIp();
    await as(auth.accessToken, ip, 'POST', '/auth/reauthenticate', { password: STRONG_PASSWORD });
    await as(auth.accessToken, ip, 'POST', '/auth/mfa/recovery-codes');
    await as(auth.accessToken, ip, 'POST', '/auth/mfa/totp/disable', {
      code: clock.code(secret),
    });
    clock.tick();
    const rows = await rowsFrom(ip);
    expect(rows.map((r) => r.action)).toEqual([
      'auth.reauthenticated',
      'auth.mfa.recovery_codes.regenerated',
      'auth.mfa.disabled',
    ]);
    const all = await app.db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.actorId, auth.user.id));
    const text = JSON.stringify(all);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(recoveryCodes[0]);
    expect(text).not.toContain(STRONG_PASSWORD);
  });
});

describe('a rolled-back change writes no audit row', () => {
  // Fails the transaction after its audit row is written, as a crash there would.
  async function failingAudit(action: string, run: () => Promise<void>) {
    const name = `fail_${action.replace(/\W/g, '_')}_${Date.now()}`;
    await app.db.execute(
      sql.raw(`create function ${name}() returns trigger language plpgsql as $$
        begin raise exception 'injected failure'; end $$`),
    );
    await app.db.execute(
      sql.raw(`create trigger ${name} after insert on audit_events for each row
        when (new.action = '${action}') execute function ${name}()`),
    );
    try {
      await run();
    } finally {
      await app.db.execute(sql.raw(`drop trigger ${name} on audit_events`));
      await app.db.execute(sql.raw(`drop function ${name}()`));
    }
  }

  it('a password change that fails keeps the old password and leaves no row', async () => {
    const auth = await signUp(app);
    const ip = freshIp();
    await failingAudit('auth.password.changed', async () => {
      const res = await as(auth.accessToken, ip, 'PUT', '/auth/me/password', {
        currentPassword: STRONG_PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(res.statusCode).toBe(500);
    });
    expect(await rowsFrom(ip)).toEqual([]);
    expect((await login(auth.user.email, STRONG_PASSWORD, freshIp())).statusCode).toBe(200);
  });

  it('a sign-in that fails starts no session and leaves no row', async () => {
    const auth = await signUp(app);
    const ip = freshIp();
    await failingAudit('auth.login.succeeded', async () => {
      expect((await login(auth.user.email, STRONG_PASSWORD, ip)).statusCode).toBe(500);
    });
    expect(await rowsFrom(ip)).toEqual([]);
    const started = await app.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.userId, auth.user.id), eq(sessions.ip, ip)));
    expect(started).toEqual([]);
  });

  it('turning 2FA on that fails leaves it off and leaves no row', async () => {
    const auth = await signUp(app);
    const { secret } = (await post(app, '/auth/mfa/totp', auth.accessToken)).json();
    await failingAudit('auth.mfa.enabled', async () => {
      const res = await post(app, '/auth/mfa/totp/confirm', auth.accessToken, {
        code: clock.code(secret),
      });
      expect(res.statusCode).toBe(500);
    });
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(auth.accessToken),
    });
    expect(me.json().mfaEnabled).toBe(false);
    const rows = await app.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.action, 'auth.mfa.enabled'), eq(auditEvents.targetId, auth.user.id)),
      );
    expect(rows).toEqual([]);
  });
});
