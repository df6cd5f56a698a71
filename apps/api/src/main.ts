// `pnpm start:api`: the API as its own process (production: any number of them behind a proxy).
import { runService } from '@atrium/config';
import { buildApp } from './app.js';
import { ensureFirstSuperuser } from './modules/users/first-superuser.js';

await runService('api', async ({ config, log }) => {
  const app = await buildApp(config, { logger: log });
  await ensureFirstSuperuser(app.db, config, log);
  await app.listen({ port: config.port, host: config.host });
  return { close: () => app.close() };
});
