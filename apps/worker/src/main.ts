// `pnpm start:worker`: the worker as its own process (production: any number of them).
import { runService } from '@atrium/config';
import { createDatabase } from '@atrium/db';
import { startMetricsServer } from './metrics-server.js';
import { startWorker } from './worker.js';

await runService('worker', async ({ config, log }) => {
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
  });
  await database.migrate();
  const metrics = config.jobs.metricsPort
    ? await startMetricsServer(config.jobs.metricsPort, config.host)
    : undefined;
  const worker = await startWorker({ config, database, log, metrics: metrics?.registry });
  return {
    async close() {
      await worker.close();
      await metrics?.close();
      await database.close();
    },
  };
});
