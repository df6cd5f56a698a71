import { users } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  emailedToken,
  STRONG_PASSWORD,
  selectRows,
  signUp,
  type TestApp,
} from './auth-support.js';
import { testApp } from './support.js';

let app: TestApp;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.dispose());

const register = (body: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body });
const login = (loginName: string, password: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login: loginName, password },
  });

describe('registration', () => {
  it('creates an account, signs it in and never returns a hash', async () => {
    const res = await register({
      email: 'Ada@Example.com',
      password: STRONG_PASSWORD,
      username: 'ada',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      tokenType: 'bearer',
      expiresIn: 900,
      user: { email: 'Ada@Example.com' },
    });
    expect(body.refreshToken).toMatch(/^[\w-]{43}$/);
    expect(JSON.stringify(body)).not.toMatch(/argon2|passwordHash/);
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(body.accessToken),
    });
    expect(me.json()).toMatchObject({ username: 'ada', isSuperuser: false, emailVerified: false });
  });

  it('refuses the same email in another case with 409', async () => {
    await register({ email: 'grace@example.com', password: STRONG_PASSWORD });
    const res = await register({ email: 'GRACE@Example.COM', password: STRONG_PASSWORD });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('conflict');
  });

  it('refuses a malformed email with a field error', async () => {
    const res = await register({ email: 'not-an-email', password: STRONG_PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('/body/email');
  });

  it.each([
    ['a short password', 'short1!', /at least 10 characters/],
    ['a common password', 'password123', /most common passwords/],
    ['a guessable password', 'aaaaaaaaaaaa', /too easy to guess/],
  ])('refuses %s and says what to fix', async (_, password, message) => {
    const res = await register({ email: `weak${Math.random()}@example.com`, password });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: '/body/password' }],
    });
    expect(res.json().detail).toMatch(message);
  });

  it('refuses fields a user may not set, such as isSuperuser, and creates no account', async () => {
    const res = await register({
      email: 'mallory@example.com',
      password: STRONG_PASSWORD,
      isSuperuser: true,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { path: '/body/isSuperuser', message: 'is not an accepted field' },
    ]);
    expect((await login('mallory@example.com', STRONG_PASSWORD)).statusCode).toBe(401);
  });
  it('creates no account when its verification email cannot be queued (one transaction)', async () => {
    // A trigger on this test's own database stands in for a crash between the two writes.
    await app.db.execute(sql`create function refuse_crash_email() returns trigger
      language plpgsql as $$ begin
        if new.payload->>'to' = 'crash@example.com' then raise exception 'simulated crash'; end if;
        return new;
      end $$`);
    await app.db.execute(sql`create trigger refuse_crash_email before insert on outbox
      for each row execute function refuse_crash_email()`);
    try {
      const res = await register({ email: 'crash@example.com', password: STRONG_PASSWORD });
      expect(res.statusCode).toBe(500);
      const rows = await selectRows(
        app.db,
        sql`select ${users.id} from ${users} where ${users.email} = 'crash@example.com'`,
      );
      expect(rows).toEqual([]);
    } finally {
      await app.db.execute(sql`drop trigger refuse_crash_email on outbox`);
      await app.db.execute(sql`drop function refuse_crash_email()`);
    }
    // Without the crash the same registration goes through, email and all.
    const again = await register({ email: 'crash@example.com', password: STRONG_PASSWORD });
    expect(again.statusCode).toBe(201);
    expect(await emailedToken(app, 'crash@example.com', 'email-verification')).toBeTruthy();
  });
});

describe('login', () => {
  it('signs in by email in any case or by username', async () => {
    await register({ email: 'linus@example.com', password: STRONG_PASSWORD, username: 'linus' });
    expect((await login('LINUS@example.com', STRONG_PASSWORD)).statusCode).toBe(200);
    expect((await login('linus', STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown user with the same 401 body', async () => {
    await register({ email: 'barbara@example.com', password: STRONG_PASSWORD });
    const wrong = await login('barbara@example.com', 'not-the-password-at-all');
    const unknown = await login('nobody@example.com', 'not-the-password-at-all');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = ({ requestId: _, ...rest }: Record<string, unknown>) => rest;
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.json().code).toBe('invalid_credentials');
  });

  it('locks an account after 10 failures with 429 and Retry-After', async () => {
    await register({ email: 'target@example.com', password: STRONG_PASSWORD });
    for (let i = 0; i < 10; i++) {
      expect((await login('target@example.com', `wrong-password-${i}`)).statusCode).toBe(401);
    }
    const res = await login('target@example.com', STRONG_PASSWORD);
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses a disabled account like a wrong password', async () => {
    const user = await signUp(app);
    await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${user.user.id}/disable`,
      headers: bearer((await signUp(app, { isSuperuser: true })).accessToken),
    });
    const res = await login(user.user.email, STRONG_PASSWORD);
    expect(res.json().code).toBe('invalid_credentials');
  });
});

describe('email verification', () => {
  it('verifies the address with the emailed token, once', async () => {
    const res = await register({ email: 'verify@example.com', password: STRONG_PASSWORD });
    const token = await emailedToken(app, 'verify@example.com', 'email-verification');
    const post = () =>
      app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
    expect((await post()).statusCode).toBe(204);
    expect((await post()).statusCode).toBe(400);
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(res.json().accessToken),
    });
    expect(me.json().emailVerified).toBe(true);
  });
});

describe('per-IP limits', () => {
  it('limit registrations, and so how many addresses one IP can ask about, to 20 per 15 minutes', async () => {
    await register({ email: 'taken@example.com', password: STRONG_PASSWORD });
    const remoteAddress = '10.99.0.1';
    const again = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'taken@example.com', password: STRONG_PASSWORD },
        remoteAddress,
      });
    for (let i = 0; i < 20; i++) expect((await again()).statusCode).toBe(409);
    const limited = await again();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
  });

  it('answers 429 rate_limited with Retry-After after too many logins from one IP', async () => {
    let last = await login('ip-limit@example.com', 'whatever-password');
    for (let i = 0; i < 40 && last.statusCode !== 429; i++) {
      last = await login(`ip-limit-${i}@example.com`, 'whatever-password');
    }
    expect(last.statusCode).toBe(429);
    expect(last.json().code).toBe('rate_limited');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
  });
});
