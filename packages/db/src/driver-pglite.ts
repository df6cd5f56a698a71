import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { type Database, type DatabaseHandle, ping, SESSION_SETTINGS } from './client.js';
import { migrationsFolder } from './migrate.js';
import * as schema from './schema/index.js';

// PGlite is PostgreSQL compiled to WebAssembly. By default V8 compiles all of it twice (a
// baseline tier at once, then optimised code in the background) and keeps both: ~50 MiB of
// machine code for a database that mostly runs a few small queries. Baseline code only, compiled
// per function on first call, halves PGlite's resident memory and boots faster; heavy queries
// run ~1.5× slower (measured in issue #2's note). V8 reads these flags when it compiles a module,
// which happens below, after this module is loaded; only WebAssembly is affected.
setFlagsFromString('--liftoff-only');
setFlagsFromString('--wasm-lazy-compilation');

/** Embedded PostgreSQL in this process, its files under `dataDir` (`memory://` keeps nothing). */
export function createPglite(dataDir: string): DatabaseHandle {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(inMemory ? dataDir : join(dataDir, 'pglite'), {
    // PGlite's default shared_buffers (128 MB) doubles the process's resident memory; an embedded,
    // single-connection database does well with far less.
    postgresqlconf: [
      'shared_buffers = 16MB',
      ...Object.entries(SESSION_SETTINGS).map(([name, value]) => `${name} = ${value}`),
    ],
    extensions: { pg_trgm },
  });
  const db = drizzle({ client, schema, casing: 'snake_case' }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    ping: (timeoutMs) => ping(db, timeoutMs),
    listen: (channel, onNotify) => client.listen(channel, () => onNotify()),
    // A single connection: no lock needed.
    migrate: () => migrate(drizzle({ client }), { migrationsFolder }).then(() => {}),
    close: () => client.close(),
  };
}
