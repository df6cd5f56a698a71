import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '@atrium/auth';
import { auditEvents, refreshTokens } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

let app: TestApp;
let secret: string;
beforeAll(async () => {
  app = await testApp();
  secret = readFileSync(join(app.config.dataDir, 'jwt-secret'), 'utf8');
});
afterAll(() => app.dispose());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function forge(header: object, payload: object, key = secret) {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}
const me = (token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
/** A second session of the same account, signed in through the API. */
const signInAgain = (email: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login: email, password: STRONG_PASSWORD },
  });
const refresh = (refreshToken: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
/** Moves a token's rotation back past REFRESH_REUSE_GRACE (10 s), as if presented later. */
const pastGrace = (refreshToken: string) =>
  app.db
    .update(refreshTokens)
    .set({ rotatedAt: sql`now() - interval '1 minute'` })
    .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)));
const auditRows = (sessionId: string) =>
  app.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'auth.refresh.reused'), eq(auditEvents.targetId, sessionId)));

describe('access tokens', () => {
  it('carry the user id and session id and expire in 15 minutes', async () => {
    const { accessToken, user } = await signUp(app);
    const claims = claimsOf(accessToken);
    expect(claims.sub).toBe(user.id);
    expect(claims.sid).toEqual(expect.any(String));
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims).toMatchObject({ iss: 'atrium', aud: 'atrium-api' });
    expect((await me(accessToken)).statusCode).toBe(200);
  });

  it('refuses a request without a token, or with a malformed header', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: 'Basic abc' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses a tampered token', async () => {
    const { accessToken } = await signUp(app);
    const other = await signUp(app);
    const [h, , s] = accessToken.split('.');
    const tampered = `${h}.${b64({ ...claimsOf(accessToken), sub: other.user.id })}.${s}`;
    const res = await me(tampered);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });

  it('refuses an expired token', async () => {
    const { accessToken } = await signUp(app);
    const now = Math.floor(Date.now() / 1000);
    const expired = forge(
      { alg: 'HS256', typ: 'JWT' },
      { ...claimsOf(accessToken), iat: now - 3600, exp: now - 1800 },
    );
    expect((await me(expired)).json().code).toBe('invalid_token');
  });

  it('refuses a token it accepted before, once it has expired (verified tokens are cached)', async () => {
    const { accessToken } = await signUp(app);
    const now = Math.floor(Date.now() / 1000);
    const shortLived = forge(
      { alg: 'HS256', typ: 'JWT' },
      { ...claimsOf(accessToken), iat: now, exp: now + 2 },
    );
    expect((await me(shortLived)).statusCode).toBe(200);
    vi.useFakeTimers({ now: (now + 3) * 1000, toFake: ['Date'] });
    try {
      expect((await me(shortLived)).json().code).toBe('invalid_token');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses an unsigned alg:none token', async () => {
    const { accessToken } = await signUp(app);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsOf(accessToken))}.`;
    expect((await me(none)).statusCode).toBe(401);
  });

  it('refuses a token signed with another algorithm, even with the right secret', async () => {
    const { accessToken } = await signUp(app);
    const body = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claimsOf(accessToken))}`;
    const hs512 = `${body}.${createHmac('sha512', secret).update(body).digest('base64url')}`;
    expect((await me(hs512)).statusCode).toBe(401);
  });
});

describe('access token claims', () => {
  const now = () => Math.floor(Date.now() / 1000);
  type Claims = Record<string, unknown>;
  const without =
    (claim: string) =>
    ({ [claim]: _, ...rest }: Claims) =>
      rest;

  it('accepts a token forged with the secret and every claim right (the control for the cases below)', async () => {
    const { accessToken } = await signUp(app);
    const forged = forge({ alg: 'HS256', typ: 'JWT' }, claimsOf(accessToken));
    expect((await me(forged)).statusCode).toBe(200);
  });

  it.each([
    ['without iss', without('iss')],
    ['without aud', without('aud')],
    ['without exp', without('exp')],
    ['without iat', without('iat')],
    ['from another issuer', (c: Claims) => ({ ...c, iss: 'https://other.example.com' })],
    ['for another audience', (c: Claims) => ({ ...c, aud: 'another-api' })],
    [
      'issued longer ago than access tokens live, though not expired',
      (c: Claims) => ({ ...c, iat: now() - 3600, exp: now() + 600 }),
    ],
    ['whose session id is not a UUID', (c: Claims) => ({ ...c, sid: 'not-a-uuid' })],
    ['whose user id is not a UUID', (c: Claims) => ({ ...c, sub: "1' or '1'='1" })],
  ])('refuses a correctly signed token %s: 401 invalid_token', async (_, change) => {
    const { accessToken } = await signUp(app);
    const forged = forge({ alg: 'HS256', typ: 'JWT' }, change(claimsOf(accessToken)));
    const res = await me(forged);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });
});

describe('token responses', () => {
  const noStore = (res: { headers: Record<string, unknown> }) => {
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
  };

  it('are never cached: register, login and refresh answer Cache-Control: no-store', async () => {
    const email = `no-store-${Date.now()}@example.com`;
    const registered = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: STRONG_PASSWORD },
    });
    expect(registered.statusCode).toBe(201);
    noStore(registered);
    const login = await signInAgain(email);
    expect(login.statusCode).toBe(200);
    noStore(login);
    const refreshed = await refresh(login.json().refreshToken);
    expect(refreshed.statusCode).toBe(200);
    noStore(refreshed);
  });
});

describe('refresh tokens', () => {
  it('rotate: the new pair works and the old refresh token is single use', async () => {
    const first = await signUp(app);
    const res = await refresh(first.refreshToken);
    expect(res.statusCode).toBe(200);
    expect(res.json().refreshToken).not.toBe(first.refreshToken);
    expect((await me(res.json().accessToken)).statusCode).toBe(200);
  });

  it('revoke the whole session when a rotated token is presented after the grace window, writing one audit row', async () => {
    const first = await signUp(app);
    const second = (await refresh(first.refreshToken)).json();
    await pastGrace(first.refreshToken);
    const reuse = await refresh(first.refreshToken);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().code).toBe('refresh_token_reused');
    expect((await me(second.accessToken)).statusCode).toBe(401);
    expect((await refresh(second.refreshToken)).statusCode).toBe(401);
    // Presented again: refused again, and the session, already ended, is not audited twice.
    expect((await refresh(first.refreshToken)).json().code).toBe('refresh_token_reused');
    const rows = await auditRows(claimsOf(first.accessToken).sid);
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'auth.refresh.reused',
        actorId: null,
        data: { userId: first.user.id },
      }),
    ]);
  });

  it('let concurrent reuses after the grace window write exactly one audit row', async () => {
    const first = await signUp(app);
    await refresh(first.refreshToken);
    await pastGrace(first.refreshToken);
    const answers = await Promise.all(Array.from({ length: 4 }, () => refresh(first.refreshToken)));
    expect(answers.map((a) => a.json().code)).toEqual(Array(4).fill('refresh_token_reused'));
    expect(await auditRows(claimsOf(first.accessToken).sid)).toHaveLength(1);
  });

  it('give every concurrent refresh with one token a working pair for the same session (grace window)', async () => {
    const { refreshToken, accessToken } = await signUp(app);
    const answers = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    const pairs = answers.map((a) => a.json());
    expect(pairs[0].refreshToken).not.toBe(pairs[1].refreshToken);
    const sid = claimsOf(accessToken).sid;
    for (const pair of pairs) {
      expect(claimsOf(pair.accessToken).sid).toBe(sid);
      expect((await me(pair.accessToken)).statusCode).toBe(200);
    }
    // Each new refresh token works, once each, and nothing was treated as reuse.
    for (const pair of pairs) expect((await refresh(pair.refreshToken)).statusCode).toBe(200);
    expect(await auditRows(sid)).toEqual([]);
  });

  it('still refuse a refresh token within the grace window once its session has ended', async () => {
    const first = await signUp(app);
    await refresh(first.refreshToken);
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(first.accessToken),
    });
    const late = await refresh(first.refreshToken);
    expect(late.statusCode).toBe(401);
    expect(late.json().code).toBe('invalid_token');
  });

  it('refuse an unknown refresh token', async () => {
    const res = await refresh('x'.repeat(43));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });
});

describe('ending sessions takes effect at once', () => {
  it('logout kills this session’s access token but not another session’s', async () => {
    const a = await signUp(app);
    const login = await signInAgain(a.user.email);
    expect((await me(a.accessToken)).statusCode).toBe(200);
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(a.accessToken),
    });
    expect(out.statusCode).toBe(204);
    expect((await me(a.accessToken)).statusCode).toBe(401);
    expect((await refresh(a.refreshToken)).statusCode).toBe(401);
    expect((await me(login.json().accessToken)).statusCode).toBe(200);
  });

  it('logout-all kills every session of the account', async () => {
    const a = await signUp(app);
    const login = await signInAgain(a.user.email);
    await me(login.json().accessToken);
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout-all',
      headers: bearer(a.accessToken),
    });
    expect((await me(a.accessToken)).statusCode).toBe(401);
    expect((await me(login.json().accessToken)).statusCode).toBe(401);
  });

  it('deleting a session from the list kills its access token', async () => {
    const a = await signUp(app);
    const other = (await signInAgain(a.user.email)).json();
    await me(other.accessToken);
    const list = (
      await app.inject({
        method: 'GET',
        url: '/api/v1/auth/sessions',
        headers: bearer(a.accessToken),
      })
    ).json();
    expect(list.items).toHaveLength(2);
    const target = list.items.find((s: { current: boolean }) => !s.current);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${target.id}`,
      headers: bearer(a.accessToken),
    });
    expect(del.statusCode).toBe(204);
    expect((await me(other.accessToken)).statusCode).toBe(401);
    expect((await me(a.accessToken)).statusCode).toBe(200);
  });

  it('another user’s session cannot be deleted: 404', async () => {
    const a = await signUp(app);
    const b = await signUp(app);
    const sid = claimsOf(b.accessToken).sid;
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${sid}`,
      headers: bearer(a.accessToken),
    });
    expect(del.statusCode).toBe(404);
    expect((await me(b.accessToken)).statusCode).toBe(200);
  });

  it('disabling a user kills their live access tokens', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const a = await signUp(app);
    await me(a.accessToken);
    const res = await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${a.user.id}/disable`,
      headers: bearer(admin.accessToken),
    });
    expect(res.json().isActive).toBe(false);
    expect((await me(a.accessToken)).statusCode).toBe(401);
  });

  it('changing the password ends the other sessions and keeps this one', async () => {
    const a = await signUp(app);
    const other = (await signInAgain(a.user.email)).json();
    await me(other.accessToken);
    const change = (currentPassword: string) =>
      app.inject({
        method: 'PUT',
        url: '/api/v1/auth/me/password',
        headers: bearer(a.accessToken),
        payload: { currentPassword, newPassword: 'violet-harbor-quartz-meadow-17' },
      });
    expect((await change('wrong-password-here')).json().code).toBe('invalid_credentials');
    expect((await change(STRONG_PASSWORD)).statusCode).toBe(204);
    expect((await me(other.accessToken)).statusCode).toBe(401);
    expect((await me(a.accessToken)).statusCode).toBe(200);
  });
});

describe('profile', () => {
  it('refuses a username another account holds, in any case, with 409', async () => {
    const a = await signUp(app);
    const b = await signUp(app);
    const res = await app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: bearer(a.accessToken),
      payload: { username: b.user.username?.toUpperCase() },
    });
    expect(res.statusCode).toBe(409);
  });

  it('clears a profile field sent as null (null, never an empty string)', async () => {
    const a = await signUp(app);
    const patch = (payload: object) =>
      app.inject({
        method: 'PATCH',
        url: '/api/v1/auth/me',
        headers: bearer(a.accessToken),
        payload,
      });
    await patch({ fullName: 'Grace Hopper', bio: 'Admiral' });
    const cleared = await patch({ fullName: null, bio: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ fullName: null, bio: null });
  });

  it('updates only the allowed profile fields, refusing the others with 400', async () => {
    const a = await signUp(app);
    const patch = (payload: object) =>
      app.inject({
        method: 'PATCH',
        url: '/api/v1/auth/me',
        headers: bearer(a.accessToken),
        payload,
      });
    const refused = await patch({ fullName: 'Mallory', isSuperuser: true, email: 'x@example.com' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors.map((e: { path: string }) => e.path)).toEqual([
      '/body/isSuperuser',
      '/body/email',
    ]);
    const res = await patch({ fullName: 'Ada Lovelace', bio: 'Analyst' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      fullName: 'Ada Lovelace',
      bio: 'Analyst',
      isSuperuser: false,
      email: a.user.email,
    });
    expect((await me(a.accessToken)).json().fullName).toBe('Ada Lovelace');
  });
});

describe('a deployment with its own issuer and audience', () => {
  it('signs them into its tokens and refuses tokens of another, though the secret is shared', async () => {
    const JWT_SECRET = 'a-shared-secret-of-at-least-thirty-two-bytes';
    const mine = await testApp({
      JWT_SECRET,
      JWT_ISSUER: 'https://id.example.com',
      JWT_AUDIENCE: 'crm',
    });
    try {
      const { accessToken } = await signUp(mine);
      expect(claimsOf(accessToken)).toMatchObject({ iss: 'https://id.example.com', aud: 'crm' });
      const ours = { ...claimsOf(accessToken), iss: 'atrium', aud: 'atrium-api' };
      const other = forge({ alg: 'HS256', typ: 'JWT' }, ours, JWT_SECRET);
      const res = await mine.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(other),
      });
      expect(res.statusCode).toBe(401);
    } finally {
      await mine.dispose();
    }
  });
});
