import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteRedisKeys,
  emailedToken,
  STRONG_PASSWORD,
  signUp,
  type TestApp,
  uniquePrefix,
} from './auth-support.js';
import { TEST_REDIS_URL, testApp } from './support.js';

/** A client address of its own per call, so no two tests (or runs) share a counter. */
const newIp = () => `10.${[...randomBytes(3)].join('.')}`;

describe.each([
  ['in process', false],
  ['in Redis', true],
])('failed sign-ins, counted %s', (_, withRedis) => {
  const prefix = uniquePrefix();
  let app: TestApp;
  beforeAll(async () => {
    const redis: Record<string, string> = withRedis
      ? { REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix }
      : {};
    // A small account budget, so a test can spend it: 10 failures per (account, IP), 25 in all.
    app = await testApp({ ...redis, LOGIN_ACCOUNT_FAILURES: '25' });
    if (withRedis) {
      // Until Redis is connected the counters are kept in memory; /health waits for it.
      expect((await app.inject({ method: 'GET', url: '/health' })).json().redis).toBe('up');
    }
  });
  afterAll(async () => {
    await app.dispose();
    if (withRedis) await deleteRedisKeys(TEST_REDIS_URL, prefix);
  });

  const login = (email: string, password: string, remoteAddress: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: email, password },
      remoteAddress,
    });
  const fail = async (email: string, ip: string, times: number) => {
    for (let i = 0; i < times; i++) {
      expect((await login(email, `wrong-password-${i}`, ip)).statusCode).toBe(401);
    }
  };

  it('an attacker who spends the budget from one IP does not lock the owner out of another', async () => {
    const { user } = await signUp(app);
    const [attacker, owner] = [newIp(), newIp()];
    await fail(user.email, attacker, 10);
    expect((await login(user.email, STRONG_PASSWORD, owner)).statusCode).toBe(200);
  });

  it('still refuses the attacker’s IP, even with the right password, with 429 and Retry-After', async () => {
    const { user } = await signUp(app);
    const attacker = newIp();
    await fail(user.email, attacker, 10);
    const refused = await login(user.email, STRONG_PASSWORD, attacker);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it('refuses everyone once the account’s budget over all IPs is spent', async () => {
    const { user } = await signUp(app);
    await fail(user.email, newIp(), 10);
    await fail(user.email, newIp(), 10);
    await fail(user.email, newIp(), 5);
    const owner = await login(user.email, STRONG_PASSWORD, newIp());
    expect(owner.statusCode).toBe(429);
    expect(owner.json().code).toBe('rate_limited');
    expect(Number(owner.headers['retry-after'])).toBeGreaterThan(15 * 60);
  });

  it('starts the account’s budget over when the owner resets the password', async () => {
    const { user } = await signUp(app);
    for (let i = 0; i < 3; i++) await fail(user.email, newIp(), i < 2 ? 10 : 5);
    expect((await login(user.email, STRONG_PASSWORD, newIp())).statusCode).toBe(429);
    const reset = (path: string, payload: object) =>
      app.inject({ method: 'POST', url: `/api/v1/auth/password-reset/${path}`, payload });
    expect((await reset('request', { email: user.email })).statusCode).toBe(202);
    const token = await emailedToken(app, user.email, 'password-reset');
    const newPassword = 'copper-lagoon-violin-thistle-58';
    expect((await reset('confirm', { token, newPassword })).statusCode).toBe(204);
    expect((await login(user.email, newPassword, newIp())).statusCode).toBe(200);
  });

  it('lets the owner’s success start their IP over, without spending the account budget', async () => {
    const { user } = await signUp(app);
    const owner = newIp();
    for (let round = 0; round < 2; round++) {
      await fail(user.email, owner, 9);
      expect((await login(user.email, STRONG_PASSWORD, owner)).statusCode).toBe(200);
    }
    // 18 failures so far and two successes: only the failures count against the account.
    await fail(user.email, newIp(), 7);
    expect((await login(user.email, STRONG_PASSWORD, newIp())).statusCode).toBe(429);
  });

  it('counts an unknown name per IP like an account, so the answers do not tell them apart', async () => {
    const ip = newIp();
    const name = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    await fail(name, ip, 10);
    expect((await login(name, STRONG_PASSWORD, ip)).statusCode).toBe(429);
    expect((await login(name, STRONG_PASSWORD, newIp())).statusCode).toBe(401);
  });
});
