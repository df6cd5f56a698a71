import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_DATABASE_URL } from '@atrium/config/testing';
import postgres from 'postgres';
import { createDatabase, type DatabaseHandle, writePgliteSnapshot } from './client.js';
import { migratePostgres } from './driver-postgres.js';
import { migrationsHash } from './migrate.js';

/** The server tests run against; any database on it works as the admin connection. */
export const TEST_ADMIN_URL = TEST_DATABASE_URL;

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file: a copy of a template database that is
 * migrated once per migration set (its name carries a hash of the SQL, so a new migration makes
 * a new template). Copying a template takes tens of milliseconds; migrating from scratch does not.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
  const template = `atrium_tpl_${migrationsHash()}`;
  const name = `atrium_test_${randomBytes(6).toString('hex')}`;
  try {
    // Test files start in parallel: one builds the template, the others wait for it.
    await admin`select pg_advisory_lock(hashtext('atrium:test-template'))`;
    const [found] = await admin`select 1 from pg_database where datname = ${template}`;
    if (!found) {
      await dropStaleTemplates(admin);
      await admin.unsafe(`create database "${template}"`);
      await admin.unsafe(`comment on database "${template}" is '${TEMPLATE_MARK} ${Date.now()}'`);
      await migratePostgres(urlFor(template));
    }
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return { url: urlFor(name), name, drop: () => dropDatabase(name) };
}

// Inside this checkout: another checkout on the machine may have other migrations, and writing a
// snapshot removes those of other migration sets from its folder.
const PGLITE_SNAPSHOTS = fileURLToPath(
  new URL('../node_modules/.cache/pglite-test-snapshots', import.meta.url),
);

/**
 * The folder of this checkout's migrated PGlite snapshot for tests (`pgliteSnapshots`), made
 * there first if need be. Test files make it in parallel at first; the first to finish wins
 * (see `writePgliteSnapshot`).
 */
export async function pgliteTestSnapshots(): Promise<string> {
  await writePgliteSnapshot(PGLITE_SNAPSHOTS);
  return PGLITE_SNAPSHOTS;
}

/**
 * A migrated PGlite of its own for one test, in a temporary data directory copied from a
 * snapshot made once per migration set, as `pnpm start` does for a new `DATA_DIR`: initdb and
 * every migration cost seconds of CPU, the copy a few hundred milliseconds. `close()` also
 * removes the directory.
 */
export async function createTestPglite(): Promise<DatabaseHandle> {
  const pgliteSnapshots = await pgliteTestSnapshots();
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-pglite-'));
  const database = await createDatabase({ dataDir, pgliteSnapshots });
  return {
    ...database,
    async close() {
      try {
        await database.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

async function dropDatabase(name: string): Promise<void> {
  const admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export const TEMPLATE_MARK = 'atrium test template, made at';
const TEMPLATE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Another checkout on the same server may be testing another set of migrations right now, so a
 * template is dropped only when it is a day old and nobody is connected to it (no `force`).
 */
export async function dropStaleTemplates(admin: postgres.Sql): Promise<void> {
  const templates = await admin`
    select datname, shobj_description(oid, 'pg_database') as note
    from pg_database where datname like 'atrium_tpl_%'`;
  for (const { datname, note } of templates) {
    const madeAt = Number(String(note ?? '').split(`${TEMPLATE_MARK} `)[1]);
    if (!(Date.now() - madeAt > TEMPLATE_MAX_AGE_MS)) continue;
    await admin.unsafe(`drop database if exists "${datname}"`).catch(() => {});
  }
}

function urlFor(database: string): string {
  const url = new URL(TEST_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}
