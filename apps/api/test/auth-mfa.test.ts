import { decryptSecret } from '@atrium/auth';
import { mfaFactors, oneTimeTokens } from '@atrium/db';
import { eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf, challenge, enableMfa, post, testClock } from './auth-mfa-support.js';
import { bearer, STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

const clock = testClock();
let app: TestApp;
beforeAll(async () => {
  // Route limits per IP off: every test here signs in from one address. The sign-in budgets stay.
  app = await testApp({ AUTH_RATE_LIMITS: 'off' }, { clock: clock.now });
});
afterAll(() => app.dispose());

const completeWith = (token: string, proof: object, remoteAddress = '127.0.0.1') =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login/mfa',
    payload: { challengeToken: token, ...proof },
    remoteAddress,
  });
const me = (token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });

describe('turning two-factor sign-in on', () => {
  it('answers a secret, its otpauth URI and an SVG QR code, and stores the secret sealed', async () => {
    const auth = await signUp(app);
    const res = await post(app, '/auth/mfa/totp', auth.accessToken);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { secret, otpauthUri, qrCode } = res.json();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(qrCode.split(',')[1], 'base64').toString()).toContain('<svg');
    const [row] = await app.db.select().from(mfaFactors).where(eq(mfaFactors.userId, auth.user.id));
    expect(row!.secret).not.toContain(secret);
    expect(row!.confirmedAt).toBeNull();
    expect(() => decryptSecret(Buffer.alloc(32), row!.secret)).toThrow();
    // Still off until a code confirms it.
    expect((await me(auth.accessToken)).json().mfaEnabled).toBe(false);
    const status = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/mfa',
      headers: bearer(auth.accessToken),
    });
    expect(status.json()).toEqual({ enabled: false, recoveryCodesRemaining: 0 });
  });

  it('turns on with a first code, answers ten recovery codes once, and audits it once', async () => {
    const auth = await signUp(app);
    const { recoveryCodes } = await enableMfa(app, clock, auth);
    expect(recoveryCodes).toHaveLength(10);
    expect((await me(auth.accessToken)).json().mfaEnabled).toBe(true);
    expect(await auditOf(app, 'auth.mfa.enabled', auth.user.id)).toHaveLength(1);
    const again = await post(app, '/auth/mfa/totp', auth.accessToken);
    expect(again.statusCode).toBe(409);
  });

  it('refuses a wrong first code with 400 and stays off', async () => {
    const auth = await signUp(app);
    const { secret } = (await post(app, '/auth/mfa/totp', auth.accessToken)).json();
    const wrong = await post(app, '/auth/mfa/totp/confirm', auth.accessToken, {
      code: clock.code(secret, -120_000),
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect((await me(auth.accessToken)).json().mfaEnabled).toBe(false);
    expect(await auditOf(app, 'auth.mfa.enabled', auth.user.id)).toHaveLength(0);
  });

  it('refuses a confirmation before enrolment with 409, and malformed codes with 400', async () => {
    const auth = await signUp(app);
    const early = await post(app, '/auth/mfa/totp/confirm', auth.accessToken, { code: '123456' });
    expect(early.statusCode).toBe(409);
    for (const code of ['12345', 'abcdef', '1234567']) {
      const bad = await post(app, '/auth/mfa/totp/confirm', auth.accessToken, { code });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('validation_failed');
    }
  });
});

describe('signing in with two-factor sign-in on', () => {
  it('answers mfa_required with a challenge and no tokens; a code completes it', async () => {
    const auth = await signUp(app);
    const { secret } = await enableMfa(app, clock, auth);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: auth.user.email, password: STRONG_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({
      status: 'mfa_required',
      challengeToken: expect.any(String),
      expiresIn: 300,
      methods: ['totp', 'recovery_code'],
    });
    expect(login.json()).not.toHaveProperty('accessToken');
    const done = await completeWith(login.json().challengeToken, { code: clock.code(secret) });
    expect(done.statusCode).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    expect((await me(done.json().accessToken)).json()).toMatchObject({ id: auth.user.id });
    const rows = await auditOf(
      app,
      'auth.login.succeeded',
      JSON.parse(Buffer.from(done.json().accessToken.split('.')[1], 'base64url').toString()).sid,
    );
    expect(rows.map((r) => r.data)).toEqual([{ method: 'totp' }]);
  });

  it('accepts codes one step off either way and refuses two steps off (window edges)', async () => {
    const auth = await signUp(app);
    const { secret } = await enableMfa(app, clock, auth);
    for (const offset of [-60_000, 60_000]) {
      const res = await completeWith(await challenge(app, auth.user.email), {
        code: clock.code(secret, offset),
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('invalid_credentials');
    }
    clock.tick(90_000);
    const previous = await completeWith(await challenge(app, auth.user.email), {
      code: clock.code(secret, -30_000),
    });
    expect(previous.statusCode).toBe(200);
    const next = await completeWith(await challenge(app, auth.user.email), {
      code: clock.code(secret, 30_000),
    });
    expect(next.statusCode).toBe(200);
    clock.tick(90_000);
  });

  it('refuses a code used once already, within its window, and a code older than it', async () => {
    const auth = await signUp(app);
    const { secret } = await enableMfa(app, clock, auth);
    const code = clock.code(secret);
    expect((await completeWith(await challenge(app, auth.user.email), { code })).statusCode).toBe(
      200,
    );
    const replay = await completeWith(await challenge(app, auth.user.email), { code });
    expect(replay.statusCode).toBe(401);
    const older = await completeWith(await challenge(app, auth.user.email), {
      code: clock.code(secret, -30_000),
    });
    expect(older.statusCode).toBe(401);
    clock.tick();
    const fresh = await completeWith(await challenge(app, auth.user.email), {
      code: clock.code(secret),
    });
    expect(fresh.statusCode).toBe(200);
    clock.tick();
  });

  it('lets one of two concurrent completions with the same code win', async () => {
    const auth = await signUp(app);
    const { secret } = await enableMfa(app, clock, auth);
    const [a, b] = [await challenge(app, auth.user.email), await challenge(app, auth.user.email)];
    const code = clock.code(secret);
    const answers = await Promise.all([completeWith(a, { code }), completeWith(b, { code })]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    clock.tick();
  });

  it('signs in once with each recovery code, in any case and grouping', async () => {
    const auth = await signUp(app);
    const { recoveryCodes } = await enableMfa(app, clock, auth);
    const typed = recoveryCodes[0]!.toLowerCase().replace(/-/g, ' ');
    const first = await completeWith(await challenge(app, auth.user.email), {
      recoveryCode: typed,
    });
    expect(first.statusCode).toBe(200);
    const again = await completeWith(await challenge(app, auth.user.email), {
      recoveryCode: recoveryCodes[0],
    });
    expect(again.statusCode).toBe(401);
    const other = await completeWith(await challenge(app, auth.user.email), {
      recoveryCode: recoveryCodes[1],
    });
    expect(other.statusCode).toBe(200);
    const status = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/mfa',
      headers: bearer(auth.accessToken),
    });
    expect(status.json()).toEqual({ enabled: true, recoveryCodesRemaining: 8 });
  });

  it('uses a challenge once, and refuses an expired or made-up one', async () => {
    const auth = await signUp(app);
    const { secret } = await enableMfa(app, clock, auth);
    const token = await challenge(app, auth.user.email);
    expect((await completeWith(token, { code: clock.code(secret) })).statusCode).toBe(200);
    clock.tick();
    const reused = await completeWith(token, { code: clock.code(secret) });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().code).toBe('invalid_token');
    const stale = await challenge(app, auth.user.email);
    await app.db
      .update(oneTimeTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(oneTimeTokens.userId, auth.user.id));
    expect((await completeWith(stale, { code: clock.code(secret) })).json().code).toBe(
      'invalid_token',
    );
    expect((await completeWith('x'.repeat(43), { code: '123456' })).json().code).toBe(
      'invalid_token',
    );
  });

  it('needs exactly one of code and recoveryCode, and refuses other fields', async () => {
    const auth = await signUp(app);
    await enableMfa(app, clock, auth);
    const token = await challenge(app, auth.user.email);
    const both = await completeWith(token, { code: '123456', recoveryCode: 'ABCD-EFGH-IJKL-MNOP' });
    expect(both.statusCode).toBe(400);
    expect((await completeWith(token, {})).statusCode).toBe(400);
    const extra = await completeWith(token, { code: '123456', password: 'x' });
    expect(extra.statusCode).toBe(400);
  });

  it('limits wrong codes like passwords: 429 once the budget is spent, one lockout row', async () => {
    const auth = await signUp(app);
    const { secret } = await enableMfa(app, clock, auth);
    const ip = '10.17.0.1';
    // The password step spends a point too: 10 per (account, IP) by default.
    const token = await challenge(app, auth.user.email, ip);
    const wrong = { code: clock.code(secret, -300_000) };
    const answers = [];
    for (let i = 0; i < 10; i += 1) answers.push((await completeWith(token, wrong, ip)).statusCode);
    expect(answers).toEqual([...Array(9).fill(401), 429]);
    const right = await completeWith(token, { code: clock.code(secret) }, ip);
    expect(right.statusCode).toBe(429);
    const failed = await auditOf(app, 'auth.login.failed', auth.user.id);
    expect(failed.map((r) => r.data)).toEqual(
      Array(9).fill({ reason: 'bad_code', during: 'login' }),
    );
    expect(await auditOf(app, 'auth.lockout', auth.user.id)).toHaveLength(1);
  });
});

describe('recovery codes and turning two-factor sign-in off', () => {
  it('regenerates ten new codes; the old ones stop working', async () => {
    const auth = await signUp(app);
    const { recoveryCodes: old } = await enableMfa(app, clock, auth);
    const res = await post(app, '/auth/mfa/recovery-codes', auth.accessToken);
    expect(res.statusCode).toBe(200);
    const fresh = res.json().recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(old[0]);
    const stale = await completeWith(await challenge(app, auth.user.email), {
      recoveryCode: old[0],
    });
    expect(stale.statusCode).toBe(401);
    const ok = await completeWith(await challenge(app, auth.user.email), {
      recoveryCode: fresh[0],
    });
    expect(ok.statusCode).toBe(200);
    expect(await auditOf(app, 'auth.mfa.recovery_codes.regenerated', auth.user.id)).toHaveLength(1);
  });

  it('refuses to regenerate codes without two-factor sign-in (409)', async () => {
    const auth = await signUp(app);
    expect((await post(app, '/auth/mfa/recovery-codes', auth.accessToken)).statusCode).toBe(409);
  });

  it('turns off with a current code, then signs in with the password alone', async () => {
    const auth = await signUp(app);
    const { secret } = await enableMfa(app, clock, auth);
    const wrong = await post(app, '/auth/mfa/totp/disable', auth.accessToken, {
      code: clock.code(secret, -300_000),
    });
    expect(wrong.statusCode).toBe(401);
    expect((await me(auth.accessToken)).json().mfaEnabled).toBe(true);
    const off = await post(app, '/auth/mfa/totp/disable', auth.accessToken, {
      code: clock.code(secret),
    });
    expect(off.statusCode).toBe(204);
    clock.tick();
    expect((await me(auth.accessToken)).json().mfaEnabled).toBe(false);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: auth.user.email, password: STRONG_PASSWORD },
    });
    expect(login.json().accessToken).toEqual(expect.any(String));
    expect(await auditOf(app, 'auth.mfa.disabled', auth.user.id)).toHaveLength(1);
  });

  it('turns off with the password, but not a wrong one, and needs exactly one of the two', async () => {
    const auth = await signUp(app);
    await enableMfa(app, clock, auth);
    const url = '/auth/mfa/totp/disable';
    expect(
      (await post(app, url, auth.accessToken, { password: 'not-the-password' })).statusCode,
    ).toBe(401);
    expect((await post(app, url, auth.accessToken, {})).statusCode).toBe(400);
    expect(
      (await post(app, url, auth.accessToken, { password: STRONG_PASSWORD, code: '123456' }))
        .statusCode,
    ).toBe(400);
    expect((await post(app, url, auth.accessToken, { password: STRONG_PASSWORD })).statusCode).toBe(
      204,
    );
    expect((await post(app, url, auth.accessToken, { password: STRONG_PASSWORD })).statusCode).toBe(
      409,
    );
  });
});
