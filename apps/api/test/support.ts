import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '@atrium/config';
import { createTestDatabase } from '@atrium/db/testing';
import { testPrefix } from '@atrium/jobs/testing';
import { type BuildOptions, buildApp } from '../src/index.js';

export { TEST_REDIS_URL } from '@atrium/config/testing';

/** Config for a test: with REDIS_URL, its keys go under a prefix of its own, removed after the file. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'atrium-test-')),
    QUEUE_PREFIX: testPrefix(),
    // Sessions made at a file's start still pass sensitive routes (`reauth`) on a slow machine;
    // the re-authentication tests set the default window back.
    REAUTH_WINDOW: '3600',
    ...env,
  });
}

/** The real app on a fresh database of its own; `close()` also drops the database. */
export async function testApp(env: Record<string, string> = {}, options: BuildOptions = {}) {
  const database = await createTestDatabase();
  const app = await buildApp(testConfig({ DATABASE_URL: database.url, ...env }), options);
  return Object.assign(app, {
    async dispose() {
      await app.close();
      await database.drop();
    },
  });
}
