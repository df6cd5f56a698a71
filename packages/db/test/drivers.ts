import { createDatabase, type DatabaseHandle } from '../src/index.js';
import { createTestDatabase, createTestPglite } from '../src/testing.js';

/** Both drivers a query must work on: `describe.each(DRIVERS)`. */
export const DRIVERS = ['postgres', 'pglite'] as const;

/**
 * A migrated database on `kind`: a fresh PostgreSQL database copied from the template, or an
 * a PGlite copied from a migrated snapshot. `close()` closes it and drops what it made.
 */
export async function openDriver(kind: (typeof DRIVERS)[number]) {
  let database: DatabaseHandle;
  let drop = async () => {};
  if (kind === 'postgres') {
    const test = await createTestDatabase();
    database = await createDatabase({ url: test.url, poolMax: 2 });
    drop = test.drop;
  } else {
    database = await createTestPglite();
  }
  return Object.assign(database, {
    async dispose() {
      await database.close();
      await drop();
    },
  });
}
