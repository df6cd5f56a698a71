import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { type Database, type DatabaseHandle, ping, SESSION_SETTINGS } from './client.js';
import { lockDataDir } from './data-dir-lock.js';
import { migrationsFolder, migrationsHash } from './migrate.js';
import { sendNotificationsAfterCommit } from './notify.js';
import * as schema from './schema/index.js';

// PGlite is PostgreSQL compiled to WebAssembly. By default V8 compiles all of it twice (a
// baseline tier at once, then optimised code in the background) and keeps both: ~50 MiB of
// machine code for a database that mostly runs a few small queries. Baseline code only, compiled
// per function on first call, halves PGlite's resident memory and boots faster; heavy queries
// run ~1.5× slower (measured in issue #2's note). V8 reads these flags when it compiles a module,
// which happens below, after this module is loaded; only WebAssembly is affected.
setFlagsFromString('--liftoff-only');
setFlagsFromString('--wasm-lazy-compilation');

const OPTIONS = {
  // PGlite's default shared_buffers (128 MB) doubles the process's resident memory; an embedded,
  // single-connection database does well with far less.
  postgresqlconf: [
    'shared_buffers = 16MB',
    ...Object.entries(SESSION_SETTINGS).map(([name, value]) => `${name} = ${value}`),
  ],
  extensions: { pg_trgm },
};

/**
 * Embedded PostgreSQL in this process, its files under `dataDir` (`memory://` keeps nothing).
 * A new `dataDir` starts as a copy of the snapshot in `snapshots` that matches the current
 * migrations, when there is one, instead of running initdb and every migration: seconds saved,
 * and a WebAssembly heap that initdb would grow and never give back.
 */
export function createPglite(dataDir: string, snapshots?: string): DatabaseHandle {
  const inMemory = dataDir.startsWith('memory://');
  const path = inMemory ? dataDir : join(dataDir, 'pglite');
  let unlock = () => {};
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true });
    // Before anything is written to it, the snapshot copy included.
    unlock = lockDataDir(dataDir);
  }
  // Only a new data directory looks for a snapshot (naming it reads every migration file).
  if (!inMemory && snapshots && !existsSync(path)) {
    const snapshot = join(snapshots, snapshotName());
    if (existsSync(snapshot)) cpSync(snapshot, path, { recursive: true });
  }
  let client: PGlite;
  try {
    client = new PGlite(path, OPTIONS);
  } catch (error) {
    unlock();
    throw error;
  }
  const db = drizzle({ client, schema, casing: 'snake_case' }) as unknown as Database;
  sendNotificationsAfterCommit(db);
  return {
    db,
    kind: 'pglite',
    ping: (timeoutMs) => ping(db, timeoutMs),
    listen: (channel, onNotify) => client.listen(channel, () => onNotify()),
    migrate: () => migratePglite(client), // a single connection: no lock needed
    async close() {
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}

/**
 * Writes a migrated, empty PGlite data directory into `dir` for `createPglite` to copy, unless
 * the one for the current migrations is there already; older snapshots are removed. Returns its
 * path.
 */
export async function writePgliteSnapshot(dir: string): Promise<string> {
  const current = snapshotName();
  const snapshot = join(dir, current);
  if (existsSync(snapshot)) return snapshot;
  // Built under a name of its own: two builds at once (start:api and start:worker) each make one,
  // and the first rename wins.
  const building = `${snapshot}.building-${randomUUID()}`;
  mkdirSync(dir, { recursive: true });
  const client = new PGlite(building, OPTIONS);
  try {
    await migratePglite(client);
  } finally {
    await client.close();
  }
  for (const name of readdirSync(dir)) {
    // Snapshots of other migrations, and what builds for them left behind; never a build of
    // this set of migrations that another process may still be writing.
    if (isSnapshot(name) && !name.startsWith(current)) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
  try {
    renameSync(building, snapshot); // whole or not at all
  } catch (error) {
    if (!existsSync(snapshot)) throw error;
  }
  rmSync(building, { recursive: true, force: true });
  return snapshot;
}

const snapshotName = () => `pglite-${migrationsHash()}`;
const isSnapshot = (name: string) => /^pglite-\w+(\.building-[\w-]+)?$/.test(name);

async function migratePglite(client: PGlite) {
  await migrate(drizzle({ client }), { migrationsFolder });
}
