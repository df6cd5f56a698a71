import { oneTimeTokens } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, emailedToken, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

let app: TestApp;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.dispose());

const NEW_PASSWORD = 'saffron-glacier-piano-wombat-41';
const request = (email: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/request', payload: { email } });
const confirm = (token: string, newPassword = NEW_PASSWORD) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset/confirm',
    payload: { token, newPassword },
  });

describe('password reset', () => {
  it('answers 202 whether or not the account exists', async () => {
    const a = await signUp(app);
    expect((await request(a.user.email)).statusCode).toBe(202);
    expect((await request('nobody-here@example.com')).statusCode).toBe(202);
  });

  it('sets the new password with the emailed token, once, and ends every session', async () => {
    const a = await signUp(app);
    await request(a.user.email.toUpperCase());
    const token = await emailedToken(app, a.user.email, 'password-reset');
    expect((await confirm(token)).statusCode).toBe(204);
    const again = await confirm(token, 'another-fine-passphrase-77');
    expect(again.statusCode).toBe(400);
    expect(again.json().detail).toMatch(/already used/);
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(a.accessToken),
    });
    expect(me.statusCode).toBe(401);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: a.user.email, password: NEW_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
  });

  it('refuses an expired token', async () => {
    const a = await signUp(app);
    await request(a.user.email);
    const token = await emailedToken(app, a.user.email, 'password-reset');
    await app.db.update(oneTimeTokens).set({ expiresAt: sql`now() - interval '1 minute'` });
    expect((await confirm(token)).statusCode).toBe(400);
  });

  it('refuses a weak new password without spending the token', async () => {
    const a = await signUp(app);
    await request(a.user.email);
    const token = await emailedToken(app, a.user.email, 'password-reset');
    const weak = await confirm(token, 'password123');
    expect(weak.json().code).toBe('validation_failed');
    expect((await confirm(token)).statusCode).toBe(204);
  });

  it('stores only a hash of the token', async () => {
    const a = await signUp(app);
    await request(a.user.email);
    const token = await emailedToken(app, a.user.email, 'password-reset');
    const rows = await app.db.select().from(oneTimeTokens);
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });
});
