import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@atrium/api';
import { createLogger, loadConfig } from '@atrium/config';
import { TEST_REDIS_URL } from '@atrium/config/testing';
import { createDatabase } from '@atrium/db';
import { createTestDatabase } from '@atrium/db/testing';
import { testPrefix } from '@atrium/jobs/testing';
import { startWorker } from '@atrium/worker';

/** A port nothing listens on now, for an app whose config must name its own URL. */
export async function freePort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The API and the worker as `pnpm start` runs them, sharing one database: embedded (PGlite, jobs
 * in-process) or, with `server`, on a fresh PostgreSQL database and Redis (BullMQ). `env` is the
 * rest of the configuration; with `port`, the API also listens on it (for clients over a socket).
 */
export async function startStack(options: {
  server: boolean;
  env: Record<string, string>;
  port?: number;
}) {
  const testDb = options.server ? await createTestDatabase() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'atrium-stack-')),
    QUEUE_PREFIX: testPrefix(),
    OUTBOX_POLL_MS: '50',
    ...(options.port ? { PORT: String(options.port) } : {}),
    ...options.env,
    ...(testDb ? { DATABASE_URL: testDb.url, REDIS_URL: TEST_REDIS_URL } : {}),
  });
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: 'memory://',
    poolMax: 4,
  });
  await database.migrate();
  const log = createLogger(config);
  const app = await buildApp(config, { database, logger: log });
  if (options.port) await app.listen({ port: options.port, host: '127.0.0.1' });
  const worker = await startWorker({ config, database, log, retryBaseDelayMs: 20 });
  return {
    app,
    async close() {
      await app.close();
      await worker.close();
      await database.close();
      await testDb?.drop();
    },
  };
}
