import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type Database, type DatabaseHandle, ping, SESSION_SETTINGS } from './client.js';
import { migrationsFolder } from './migrate.js';
import { sendNotificationsAfterCommit } from './notify.js';
import * as schema from './schema/index.js';

export function createPostgres(
  url: string,
  poolMax: number,
  onQuery?: (text: string) => void,
): DatabaseHandle {
  const client = postgres(url, {
    max: poolMax,
    ...(onQuery && { debug: (_connection: number, text: string) => onQuery(text) }),
    onnotice: () => {},
    connection: { application_name: 'atrium', ...SESSION_SETTINGS },
  });
  const db = drizzle({ client, schema, casing: 'snake_case' }) as unknown as Database;
  sendNotificationsAfterCommit(db);
  return {
    db,
    kind: 'postgres',
    ping: (timeoutMs) => ping(db, timeoutMs),
    async listen(channel, onNotify) {
      const { unlisten } = await client.listen(channel, () => onNotify());
      return unlisten;
    },
    migrate: () => migratePostgres(url),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Applies pending migrations on PostgreSQL. Many API and worker instances may start at once, so
 * they queue on an advisory lock (released with the connection) and later ones find nothing to do.
 */
export async function migratePostgres(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(hashtext('atrium:migrate'))`;
    await migrate(drizzle({ client }), { migrationsFolder });
  } finally {
    await client.end({ timeout: 5 });
  }
}
