// For tests only: Redis key prefixes a test owns, and the removal of what it wrote under them.
// Tests share one Redis (and other checkouts use it too), so each test writes under a prefix of
// its own and deletes exactly those keys when its file ends: never a key it did not create.
import { randomBytes } from 'node:crypto';
import { TEST_REDIS_URL } from '@atrium/config/testing';
import { QueueNames } from '@atrium/contracts';
import { Redis } from 'ioredis';
import type { Processors } from './types.js';

/** Prefixes handed out in this test file (each file runs in a module graph of its own). */
const prefixes = new Set<string>();

/** A QUEUE_PREFIX of the test's own, removed with its keys by `removeTestKeys()`. */
export function testPrefix(name = 'atrium-test'): string {
  const prefix = `${name}-${randomBytes(6).toString('hex')}`;
  prefixes.add(prefix);
  return prefix;
}

/**
 * Deletes every key under a prefix `testPrefix()` handed out in this file (BullMQ queues, event
 * histories, counters), then forgets those prefixes. Run after each test file (vitest.setup.ts).
 * Returns how many keys it deleted.
 */
export async function removeTestKeys(redisUrl = TEST_REDIS_URL): Promise<number> {
  if (prefixes.size === 0) return 0;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch {
    redis.disconnect();
    return 0; // no Redis here: then nothing was written to it either
  }
  let removed = 0;
  try {
    // One pass over the keyspace for all prefixes: a SCAN per prefix would walk it many times.
    for await (const keys of redis.scanStream({ count: 1000 }) as AsyncIterable<string[]>) {
      const ours = keys.filter((key) => prefixes.has(key.split(':', 1)[0]!));
      if (ours.length > 0) removed += await redis.unlink(...ours);
    }
    prefixes.clear();
  } finally {
    redis.disconnect();
  }
  return removed;
}

/** A processor per queue that does nothing: tests spread it and override the queues they watch. */
export const idleProcessors = (): Processors =>
  Object.fromEntries(QueueNames.map((queue) => [queue, async () => {}])) as unknown as Processors;
