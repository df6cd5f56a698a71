import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/index.js';
import { bearer, signUp, type TestApp } from './auth-support.js';
import { testApp, testConfig } from './support.js';

const JWT_SECRET = 'a-shared-secret-of-at-least-thirty-two-bytes';
let a: TestApp;
let b: Awaited<ReturnType<typeof buildApp>>;

beforeAll(async () => {
  a = await testApp({ JWT_SECRET });
  b = await buildApp(testConfig({ JWT_SECRET, DATABASE_URL: a.config.databaseUrl! }));
});
afterAll(async () => {
  await b.close();
  await a.dispose();
});

describe('two API instances on one database', () => {
  it('a logout on one instance ends the session on the other, well within the cache TTL', async () => {
    const user = await signUp(a);
    const meOnB = () =>
      b.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(user.accessToken) });
    expect((await meOnB()).statusCode).toBe(200); // now cached on b
    await a.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(user.accessToken),
    });
    // b's cache holds entries for 10 s; the NOTIFY must clear it long before.
    await vi.waitFor(async () => expect((await meOnB()).statusCode).toBe(401), {
      timeout: 3000,
      interval: 20,
    });
  });
});
