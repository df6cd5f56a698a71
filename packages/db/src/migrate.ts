import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as pgliteMigrator } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as postgresMigrator } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/**
 * The drizzle-kit migration folder: the same SQL runs on PostgreSQL 15+ and on PGlite. Found
 * through the package, not this file's location, so it holds inside a bundle too.
 */
export const migrationsFolder = join(
  dirname(createRequire(import.meta.url).resolve('@atrium/db/package.json')),
  'drizzle',
);

/**
 * Applies pending migrations on PostgreSQL. Many API and worker instances may start at once, so
 * they queue on an advisory lock (released with the connection) and later ones find nothing to do.
 */
export async function migratePostgres(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(hashtext('atrium:migrate'))`;
    await postgresMigrator(drizzlePostgres({ client }), { migrationsFolder });
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Applies pending migrations to embedded PGlite (a single connection: no lock needed). */
export async function migratePglite(client: PGlite): Promise<void> {
  await pgliteMigrator(drizzlePglite({ client }), { migrationsFolder });
}
