import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '@atrium/config/testing';
import { QueueNames } from '@atrium/contracts';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, STRONG_PASSWORD, signUp, type TestApp, uniquePrefix } from './auth-support.js';
import { testApp } from './support.js';

// A redis-server of this file's own: every key in it was written by the app under test, so a
// key outside the prefix cannot hide among other tests' keys.
let server: ChildProcess;
let url: string;
let app: TestApp;
const prefix = uniquePrefix();

beforeAll(async () => {
  const port = await freePort();
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  url = `redis://127.0.0.1:${port}`;
  app = await testApp({ REDIS_URL: url, QUEUE_PREFIX: prefix, RATE_LIMIT_MAX: '5' });
  expect((await app.inject({ method: 'GET', url: '/health' })).json().redis).toBe('up');
});
afterAll(async () => {
  await app?.dispose();
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
    await once(server, 'exit');
  }
});

describe('Redis keys', () => {
  it('are all under QUEUE_PREFIX, and every rate-limit and sign-in counter expires', async () => {
    const { user } = await signUp(app);
    const remoteAddress = '10.20.30.40';
    const login = (password: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: user.email, password },
        remoteAddress,
      });
    expect((await login('not-the-password')).statusCode).toBe(401);
    expect((await login('not-the-password-either')).statusCode).toBe(401);
    expect((await login(STRONG_PASSWORD)).statusCode).toBe(200);
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'nobody@example.com', password: 'not-the-password' },
      remoteAddress,
    });
    expect(unknown.statusCode).toBe(401);
    let last = 0;
    for (let i = 0; i < 6; i++) {
      last = (await app.inject({ method: 'GET', url: '/docs/json', remoteAddress })).statusCode;
    }
    expect(last).toBe(429);

    // A message publishes a live event, kept for resuming streams.
    const recipient = await signUp(app);
    const sent = await app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: bearer((await signUp(app)).accessToken),
      payload: { recipientId: recipient.user.id, content: 'hello' },
    });
    expect(sent.statusCode).toBe(201);

    const keys = await allKeys(url);
    expect(keys.some((k) => k.includes(':rate-limit:'))).toBe(true);
    expect(keys.some((k) => k.includes(':login-failures:'))).toBe(true);
    expect(keys.filter((k) => !k.startsWith(`${prefix}:`))).toEqual([]);
    // BullMQ's queue structures (`<prefix>:<queue>:meta`…) last as long as the queue; the rest
    // are counters and caches, which must expire.
    const counters = keys.filter((k) => !QueueNames.some((q) => k.startsWith(`${prefix}:${q}:`)));
    const redis = new Redis(url);
    try {
      const ttls = await Promise.all(counters.map(async (k) => [k, await redis.pttl(k)] as const));
      expect(ttls.filter(([, ttl]) => ttl <= 0)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});

async function allKeys(redisUrl: string): Promise<string[]> {
  const redis = new Redis(redisUrl);
  try {
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ count: 500 })) keys.push(...(batch as string[]));
    return keys.sort();
  } finally {
    redis.disconnect();
  }
}
