import { getTableName, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle, outbox, selectRows } from '../src/index.js';
import { createTestDatabase, TEST_ADMIN_URL } from '../src/testing.js';

const tables = async ({ db }: DatabaseHandle) =>
  (
    await selectRows<{ tablename: string }>(
      db,
      sql`select tablename from pg_tables where schemaname = 'public' order by 1`,
    )
  ).map((r) => r.tablename);

describe('migrations', () => {
  it('apply cleanly on an empty PostgreSQL database, twice without harm', async () => {
    const admin = postgres(TEST_ADMIN_URL, { max: 1 });
    const name = `atrium_empty_${Date.now()}`;
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(TEST_ADMIN_URL);
    url.pathname = `/${name}`;
    const database = await createDatabase({ url: url.toString() });
    try {
      await database.migrate();
      await database.migrate();
      expect(await tables(database)).toContain(getTableName(outbox));
    } finally {
      await database.close();
      await admin.unsafe(`drop database "${name}" with (force)`);
      await admin.end();
    }
  });

  it('apply cleanly on PGlite and leave the same tables as on PostgreSQL', async () => {
    const embedded = await createDatabase({ dataDir: 'memory://' });
    const test = await createTestDatabase();
    const server = await createDatabase({ url: test.url, poolMax: 1 });
    try {
      await embedded.migrate();
      expect(await tables(embedded)).toEqual(await tables(server));
    } finally {
      await embedded.close();
      await server.close();
      await test.drop();
    }
  });
});

describe('test databases', () => {
  const made: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
  afterAll(async () => {
    for (const t of made) await t.drop();
  });

  it('are separate copies that start empty and migrated', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    made.push(a!, b!);
    expect(a!.name).not.toBe(b!.name);
    const first = await createDatabase({ url: a!.url, poolMax: 1 });
    const second = await createDatabase({ url: b!.url, poolMax: 1 });
    try {
      await first.db.insert(outbox).values({ queue: 'email', payload: {}, idempotencyKey: 'k1' });
      expect(await first.db.$count(outbox)).toBe(1);
      expect(await second.db.$count(outbox)).toBe(0);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
