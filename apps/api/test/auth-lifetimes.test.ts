import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sessions } from '@atrium/db';
import { eq, sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

// Lifetimes from config (ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL, SESSION_IDLE_TIMEOUT), the device
// in the session list, and signing out the other sessions.

let app: TestApp;
beforeAll(async () => {
  app = await testApp({
    ACCESS_TOKEN_TTL: '120',
    REFRESH_TOKEN_TTL: '3600',
    SESSION_IDLE_TIMEOUT: '600',
    AUTH_SESSION_CACHE_MS: '0',
  });
});
afterAll(() => app.dispose());

const FIREFOX_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

const login = (email: string, userAgent = FIREFOX_MAC) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'user-agent': userAgent },
    payload: { login: email, password: STRONG_PASSWORD },
  });
const refresh = (refreshToken: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
const me = (token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token signed with the app's own secret (generated under DATA_DIR in tests). */
function forgeToken(payload: object) {
  const secret = readFileSync(join(app.config.dataDir, 'jwt-secret'), 'utf8');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
const secondsFromNow = (at: Date | string) => (new Date(at).getTime() - Date.now()) / 1000;

async function sessionRow(id: string) {
  const [row] = await app.db.select().from(sessions).where(eq(sessions.id, id));
  return row!;
}

describe('configured lifetimes', () => {
  it('signs access tokens for ACCESS_TOKEN_TTL and says so in expiresIn', async () => {
    const { user } = await signUp(app);
    const res = await login(user.email);
    expect(res.statusCode).toBe(200);
    const { accessToken, expiresIn } = res.json();
    expect(expiresIn).toBe(120);
    const claims = claimsOf(accessToken);
    expect(claims.exp - claims.iat).toBe(120);
  });

  it('refuses an access token issued longer ago than ACCESS_TOKEN_TTL, even when its signature holds', async () => {
    const { user } = await signUp(app);
    const { accessToken } = (await login(user.email)).json();
    const claims = claimsOf(accessToken);
    const now = Math.floor(Date.now() / 1000);
    const forge = (issuedAgo: number) =>
      forgeToken({ ...claims, iat: now - issuedAgo, exp: now + 3600 });
    expect((await me(forge(60))).statusCode).toBe(200);
    const old = await me(forge(180));
    expect(old.statusCode).toBe(401);
    expect(old.json().code).toBe('invalid_token');
  });

  it('ends a new session after SESSION_IDLE_TIMEOUT and its refresh token after REFRESH_TOKEN_TTL', async () => {
    const { user } = await signUp(app);
    const { accessToken } = (await login(user.email)).json();
    const row = await sessionRow(claimsOf(accessToken).sid);
    expect(secondsFromNow(row.expiresAt)).toBeGreaterThan(590);
    expect(secondsFromNow(row.expiresAt)).toBeLessThanOrEqual(600);
    const tokens = await app.db.execute(
      sql`select expires_at from refresh_tokens where session_id = ${row.id}`,
    );
    const tokenEnd = JSON.stringify(tokens).match(/"expires_at":"([^"]+)"/)![1]!;
    expect(secondsFromNow(tokenEnd)).toBeGreaterThan(3590);
    expect(secondsFromNow(tokenEnd)).toBeLessThanOrEqual(3600);
  });

  it('moves the idle end on each refresh, so a session in use lives on', async () => {
    const { user } = await signUp(app);
    const first = (await login(user.email)).json();
    const sid = claimsOf(first.accessToken).sid;
    // As if the session had sat unused for 9 of its 10 idle minutes.
    await app.db
      .update(sessions)
      .set({ expiresAt: sql`now() + interval '60 seconds'` })
      .where(eq(sessions.id, sid));
    const res = await refresh(first.refreshToken);
    expect(res.statusCode).toBe(200);
    expect(secondsFromNow((await sessionRow(sid)).expiresAt)).toBeGreaterThan(590);
  });

  it('ends a session nobody refreshed within the idle timeout: refresh and access both refused', async () => {
    const { user } = await signUp(app);
    const first = (await login(user.email)).json();
    const sid = claimsOf(first.accessToken).sid;
    await app.db
      .update(sessions)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(sessions.id, sid));
    const res = await refresh(first.refreshToken);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
    expect((await me(first.accessToken)).statusCode).toBe(401);
  });
});

describe('the session list', () => {
  it('shows each session’s device parsed from its User-Agent, IP, created and last used', async () => {
    const { user } = await signUp(app);
    const desktop = (await login(user.email, FIREFOX_MAC)).json();
    await login(user.email, SAFARI_IPHONE);
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      headers: bearer(desktop.accessToken),
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<Record<string, unknown>>;
    const firefox = items.find((s) => s.current === true)!;
    expect(firefox.device).toEqual({
      browser: 'Firefox 128.0',
      os: 'macOS Catalina',
      type: 'desktop',
    });
    expect(firefox).toMatchObject({ ip: '127.0.0.1', userAgent: FIREFOX_MAC });
    expect(firefox.createdAt).toEqual(expect.any(String));
    expect(firefox.lastUsedAt).toEqual(expect.any(String));
    const iphone = items.find((s) => s.userAgent === SAFARI_IPHONE)!;
    expect(iphone.device).toMatchObject({ os: 'iOS 17.5', type: 'mobile' });
    expect(String((iphone.device as { browser: string }).browser)).toMatch(/^Safari/);
  });

  it('answers null device parts for a missing or unrecognisable User-Agent', async () => {
    const { user } = await signUp(app);
    const odd = (await login(user.email, 'curl-like/0')).json();
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      headers: bearer(odd.accessToken),
    });
    const current = res.json().items.find((s: { current: boolean }) => s.current);
    expect(current.device.os).toBeNull();
    expect(current.device.type).toBeNull();
  });
});

describe('signing out the other sessions', () => {
  it('ends every other session of the account and keeps this one', async () => {
    const { user } = await signUp(app);
    const kept = (await login(user.email)).json();
    const other = (await login(user.email, SAFARI_IPHONE)).json();
    const stranger = await signUp(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout-others',
      headers: bearer(kept.accessToken),
    });
    expect(res.statusCode).toBe(204);
    expect((await me(kept.accessToken)).statusCode).toBe(200);
    expect((await me(other.accessToken)).statusCode).toBe(401);
    expect((await refresh(other.refreshToken)).statusCode).toBe(401);
    // Nobody else's sessions are touched.
    expect((await me(stranger.accessToken)).statusCode).toBe(200);
  });

  it('needs a signed-in caller', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout-others' });
    expect(res.statusCode).toBe(401);
  });
});
