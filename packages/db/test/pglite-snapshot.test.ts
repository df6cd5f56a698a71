import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, selectRows, users, writePgliteSnapshot } from '../src/index.js';
import { migrationsFolder } from '../src/migrate.js';

const scratch = mkdtempSync(join(tmpdir(), 'atrium-snapshot-'));
const snapshots = join(scratch, 'snapshots');
const migrationCount = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length;

const appliedMigrations = async (db: Awaited<ReturnType<typeof createDatabase>>['db']) =>
  (
    await selectRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    )
  )[0]!.n;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('PGlite snapshots', () => {
  let snapshot: string;

  it('are written once per set of migrations, replacing older ones', async () => {
    mkdirSync(join(snapshots, 'pglite-0123456789ab'), { recursive: true });
    snapshot = await writePgliteSnapshot(snapshots);
    const written = statSync(snapshot).mtimeMs;
    expect(await writePgliteSnapshot(snapshots)).toBe(snapshot);
    expect(statSync(snapshot).mtimeMs).toBe(written);
    expect(readdirSync(snapshots)).toEqual([snapshot.split('/').at(-1)]);
  });

  it('are written whole when two builds run at once', async () => {
    const dir = join(scratch, 'concurrent');
    const [a, b] = await Promise.all([writePgliteSnapshot(dir), writePgliteSnapshot(dir)]);
    expect(a).toBe(b);
    expect(readdirSync(dir)).toEqual([a.split('/').at(-1)]);
    expect(readdirSync(a)).toContain('PG_VERSION');
    // Two PGlite instances migrating at once on two cores: slow when the machine is busy.
  }, 120_000);

  it('start a new data directory migrated, and a restart keeps its data', async () => {
    const dataDir = join(scratch, 'data');
    const first = await createDatabase({ dataDir, pgliteSnapshots: snapshots });
    try {
      expect(await appliedMigrations(first.db)).toBe(migrationCount); // before any migrate()
      await first.migrate(); // nothing left to do
      expect(await appliedMigrations(first.db)).toBe(migrationCount);
      await first.db.insert(users).values({ email: 'kept@example.com' });
    } finally {
      await first.close();
    }
    const again = await createDatabase({ dataDir, pgliteSnapshots: snapshots });
    try {
      const rows = await again.db.select({ email: users.email }).from(users);
      expect(rows).toEqual([{ email: 'kept@example.com' }]);
    } finally {
      await again.close();
    }
  });

  it('are not used when none matches: the directory is initialised and migrated as before', async () => {
    const database = await createDatabase({
      dataDir: join(scratch, 'no-snapshot'),
      pgliteSnapshots: join(scratch, 'empty'),
    });
    try {
      await expect(appliedMigrations(database.db)).rejects.toThrow();
      await database.migrate();
      expect(await appliedMigrations(database.db)).toBe(migrationCount);
    } finally {
      await database.close();
    }
  });
});
