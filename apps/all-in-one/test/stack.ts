import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@atrium/api';
import { createLogger, loadConfig } from '@atrium/config';
import { freePort, TEST_REDIS_URL } from '@atrium/config/testing';
import { createDatabase, type DatabaseHandle } from '@atrium/db';
import { createTestDatabase, createTestPglite } from '@atrium/db/testing';
import { testPrefix } from '@atrium/jobs/testing';
import { startWorker } from '@atrium/worker';

/** A port nothing listens on now, for an app whose config must name its own URL. */
export { freePort };

/**
 * The API and the worker as `pnpm start` runs them, sharing one database: embedded (PGlite, jobs
 * in-process) or, with `server`, on a fresh PostgreSQL database and Redis (BullMQ). `env` is the
 * rest of the configuration; with `listen`, the API also listens on a free port (for clients
 * over a socket), and `listen(port)` is the configuration that names it.
 */
export async function startStack(options: {
  server: boolean;
  env: Record<string, string>;
  listen?: (port: number) => Record<string, string>;
}) {
  const testDb = options.server ? await createTestDatabase() : undefined;
  const database = testDb
    ? await createDatabase({ url: testDb.url, poolMax: 4 })
    : await createTestPglite();
  await database.migrate();
  const { app, config, port } = await listeningApp(database, testDb?.url, options);
  const log = createLogger(config);
  const worker = await startWorker({ config, database, log, retryBaseDelayMs: 20 });
  return {
    app,
    port,
    async close() {
      await app.close();
      await worker.close();
      await database.close();
      await testDb?.drop();
    },
  };
}

/**
 * The app, listening when asked to. A free port is only free until someone takes it: the
 * parallel test files open connections all the time, each on a port of the same range. When one
 * was taken between `freePort()` and `listen`, the app is built again on another.
 */
async function listeningApp(
  database: DatabaseHandle,
  databaseUrl: string | undefined,
  options: Parameters<typeof startStack>[0],
) {
  for (let attempt = 1; ; attempt++) {
    const port = options.listen ? await freePort() : undefined;
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'atrium-stack-')),
      QUEUE_PREFIX: testPrefix(),
      OUTBOX_POLL_MS: '50',
      ...(port ? { PORT: String(port), ...options.listen?.(port) } : {}),
      ...options.env,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, REDIS_URL: TEST_REDIS_URL } : {}),
    });
    const app = await buildApp(config, { database, logger: createLogger(config) });
    if (!port) return { app, config, port };
    try {
      await app.listen({ port, host: '127.0.0.1' });
      return { app, config, port };
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw error;
    }
  }
}
