import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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

/** Names the current set of migrations: it changes whenever a migration is added or edited. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder).sort()) {
    if (file.endsWith('.sql')) hash.update(readFileSync(join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 12);
}
