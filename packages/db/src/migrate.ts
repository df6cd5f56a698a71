import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The drizzle-kit migration folder: the same SQL runs on PostgreSQL 15+ and on PGlite. Found
 * through the package, not this file's location, so it holds inside a bundle too.
 */
export const migrationsFolder = join(
  dirname(createRequire(import.meta.url).resolve('@atrium/db/package.json')),
  'drizzle',
);
