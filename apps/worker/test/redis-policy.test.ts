import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@atrium/config/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../src/index.js';
import { log, testDatabase, workerConfig } from './support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
let redis: ChildProcess;
let redisUrl: string;

beforeAll(async () => {
  database = await testDatabase();
  const port = await freePort();
  // A Redis of this test's own that evicts keys, as a cache-tuned server would.
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--maxmemory-policy', 'allkeys-lru'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise<void>((resolve) =>
    redis.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    }),
  );
  redisUrl = `redis://127.0.0.1:${port}`;
});
afterAll(async () => {
  redis.kill('SIGKILL');
  await database.dispose();
});

describe('the worker on a Redis that may evict keys', () => {
  it('refuses to start, naming the policy and the fix', async () => {
    const config = workerConfig({ REDIS_URL: redisUrl });
    await expect(startWorker({ config, database, log })).rejects.toThrow(
      /maxmemory-policy is "allkeys-lru".*noeviction/,
    );
  });
});
