import { createTestDatabase } from '@atrium/db/testing';
import { testPrefix } from '@atrium/jobs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { forms, freshIp, submit, uniqueEmail } from './forms-support.js';
import { TEST_REDIS_URL, testConfig } from './support.js';

type App = Awaited<ReturnType<typeof buildApp>>;

/** Two API instances on one database and one Redis, as behind a load balancer. */
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let instances: App[];
beforeAll(async () => {
  database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: testPrefix(),
    FORM_LIMIT_PER_IP: '4',
    FORM_LIMIT_PER_EMAIL: '3',
  };
  instances = [await buildApp(testConfig(env)), await buildApp(testConfig(env))];
});
afterAll(async () => {
  for (const app of instances ?? []) await app.close();
  await database?.drop();
});

describe('form limits with Redis', () => {
  it('count one IP across instances', async () => {
    const ip = freshIp();
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const app = instances[i % 2]! as Parameters<typeof submit>[0];
      statuses.push((await submit(app, 'contact', forms.contact(), { ip })).statusCode);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
  });

  it('count one email across instances and IPs', async () => {
    const email = uniqueEmail('shared');
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const app = instances[i % 2]! as Parameters<typeof submit>[0];
      statuses.push((await submit(app, 'contact', { ...forms.contact(), email })).statusCode);
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
  });
});
