import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { migratePglite, migratePostgres } from './migrate.js';
import { sendNotificationsAfterCommit } from './notify.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** A Drizzle database or transaction over either driver: the type every query function takes. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseOptions {
  /** postgres:// URL; without one Atrium runs on embedded PGlite. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps nothing. */
  dataDir?: string | undefined;
  poolMax?: number | undefined;
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Round-trips `select 1`, failing after `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Subscribes to a NOTIFY channel (`notifyAfterCommit`); resolves to an unsubscribe function. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** Applies pending migrations (safe to call from many processes at once). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Settings every connection starts with. Search's typo tolerance uses pg_trgm's `<%` operator,
 * whose default threshold (0.6) misses one-letter substitutions in short words; 0.45 catches
 * "meating" for "meeting" while ranking keeps the exact matches first.
 */
const SESSION_SETTINGS = { 'pg_trgm.word_similarity_threshold': '0.45' };

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  return options.url ? createPostgres(options.url, options.poolMax ?? 10) : createPglite(options);
}

function createPostgres(url: string, poolMax: number): DatabaseHandle {
  const client = postgres(url, {
    max: poolMax,
    onnotice: () => {},
    connection: { application_name: 'atrium', ...SESSION_SETTINGS },
  });
  const db = drizzlePostgres({ client, schema, casing: 'snake_case' }) as unknown as Database;
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

function createPglite(options: DatabaseOptions): DatabaseHandle {
  const dir = options.dataDir ?? 'memory://';
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir.startsWith('memory://') ? dir : join(dir, 'pglite'), {
    // PGlite's default shared_buffers (128 MB) doubles the process's resident memory; an embedded,
    // single-connection database does well with far less.
    postgresqlconf: [
      'shared_buffers = 16MB',
      ...Object.entries(SESSION_SETTINGS).map(([name, value]) => `${name} = ${value}`),
    ],
    extensions: { pg_trgm },
  });
  const db = drizzlePglite({ client, schema, casing: 'snake_case' }) as unknown as Database;
  sendNotificationsAfterCommit(db);
  return {
    db,
    kind: 'pglite',
    ping: (timeoutMs) => ping(db, timeoutMs),
    listen: (channel, onNotify) => client.listen(channel, () => onNotify()),
    migrate: () => migratePglite(client),
    close: () => client.close(),
  };
}

async function ping(db: Database, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs raw SQL and returns its rows, whichever driver is underneath (their result shapes differ). */
export async function selectRows<T extends Record<string, unknown>>(
  db: Database,
  query: SQL,
): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}
