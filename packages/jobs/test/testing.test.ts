import { randomBytes } from 'node:crypto';
import { TEST_REDIS_URL } from '@atrium/config/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTestKeys, testPrefix } from '../src/testing.js';

const redis = new Redis(TEST_REDIS_URL);
const notOurs = `atrium-test-${randomBytes(6).toString('hex')}`;
afterAll(async () => {
  await redis.del(`${notOurs}:email:meta`);
  redis.disconnect();
});

const keysUnder = async (prefix: string) => {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${prefix}:*` }) as AsyncIterable<string[]>) {
    keys.push(...batch);
  }
  return keys;
};

describe('removeTestKeys', () => {
  it("deletes what a test wrote under its own prefixes, and no one else's key", async () => {
    const prefix = testPrefix();
    const queue = new Queue('email', { connection: { url: TEST_REDIS_URL }, prefix });
    await queue.add('email', { to: 'a@example.com' });
    await queue.close();
    await redis.set(`${prefix}:events:history:u1`, 'x');
    // The same shape of name, handed out elsewhere (another file, another checkout).
    await redis.set(`${notOurs}:email:meta`, 'x');
    expect((await keysUnder(prefix)).length).toBeGreaterThan(2);

    expect(await removeTestKeys()).toBeGreaterThan(2);
    expect(await keysUnder(prefix)).toEqual([]);
    expect(await keysUnder(notOurs)).toEqual([`${notOurs}:email:meta`]);
  });
});
