// `pnpm start`: the API and the worker in one process. With no configuration this is the embedded
// default (PGlite under DATA_DIR, jobs in-process); with DATABASE_URL and REDIS_URL it runs the
// same way on PostgreSQL and BullMQ.
import { buildApp, ensureFirstSuperuser } from '@atrium/api';
import { runService } from '@atrium/config';
import { createDatabase } from '@atrium/db';
import { startWorker } from '@atrium/worker';
import { SNAPSHOTS } from './snapshots.js';

await runService('atrium', async ({ config, log }) => {
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    pgliteSnapshots: SNAPSHOTS,
  });
  await database.migrate();
  const app = await buildApp(config, { database, logger: log });
  await ensureFirstSuperuser(database.db, config, log);
  // The worker's job duration histograms join the API's /metrics. Its start-up (Redis round trips)
  // overlaps the API's (compiling every route's schemas).
  const [worker] = await Promise.all([
    startWorker({ config, database, log, metrics: app.metrics }),
    app.ready(),
  ]);
  await app.listen({ port: config.port, host: config.host });
  log.info(
    {
      database: database.kind,
      jobs: worker.driver.name,
      docs: `http://${config.host}:${config.port}/docs`,
    },
    'Atrium is ready',
  );
  return {
    async close() {
      await app.close();
      await worker.close();
      await database.close();
    },
  };
});
