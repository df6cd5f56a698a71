import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisKeys, uniquePrefix } from './auth-support.js';
import { TEST_REDIS_URL, testApp } from './support.js';

type App = Awaited<ReturnType<typeof testApp>>;
let first: App;
let second: App;
const prefix = uniquePrefix();

beforeAll(async () => {
  // Both instances share a key prefix of their own in Redis, removed afterwards.
  const env = {
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_MAX: '3',
    RATE_LIMIT_WINDOW_MS: '60000',
  };
  first = await testApp(env);
  second = await testApp(env);
  // Until Redis is connected the limiter lets requests through (skipOnError); /health waits for it.
  for (const app of [first, second]) {
    expect((await app.inject({ method: 'GET', url: '/health' })).json().redis).toBe('up');
  }
});
afterAll(async () => {
  await first.dispose();
  await second.dispose();
  await deleteRedisKeys(TEST_REDIS_URL, prefix);
});

describe('the global rate limit', () => {
  it('is shared by API instances through Redis and answers 429 rate_limited with Retry-After', async () => {
    const remoteAddress = `10.${[1, 2, 3].map(() => randomBytes(1)[0]).join('.')}`;
    const hit = (app: App) => app.inject({ method: 'GET', url: '/docs/json', remoteAddress });
    const statuses = [];
    for (const app of [first, second, first]) statuses.push((await hit(app)).statusCode);
    expect(statuses).toEqual([200, 200, 200]);

    const limited = await hit(second);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-limit']).toBe('3');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
  });

  it('does not limit the health probes', async () => {
    const remoteAddress = '10.250.250.250';
    for (let i = 0; i < 6; i++) {
      const response = await first.inject({ method: 'GET', url: '/health/live', remoteAddress });
      expect(response.statusCode).toBe(200);
    }
  });
});
