// `pnpm db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded PGlite
// database under DATA_DIR when DATABASE_URL is unset. The API and worker also migrate at start-up.
import { ConfigError, loadConfig } from '@atrium/config';
import { createDatabase } from '../client.js';

try {
  const config = loadConfig();
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: 1,
  });
  await database.migrate();
  await database.close();
  console.log(`migrations applied (${database.kind})`);
} catch (error) {
  console.error(error instanceof ConfigError ? `Invalid configuration: ${error.message}` : error);
  process.exit(1);
}
