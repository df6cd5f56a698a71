import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index.js';

export type Schema = typeof schema;
/** A Drizzle database or transaction over either driver: the type every query function takes. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseOptions {
  /** postgres:// URL; without one Atrium runs on embedded PGlite. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps nothing. */
  dataDir?: string | undefined;
  poolMax?: number | undefined;
  /** PGlite only: a folder of snapshots (`writePgliteSnapshot`) a new `dataDir` starts from. */
  pgliteSnapshots?: string | undefined;
  /**
   * PostgreSQL only: called with each statement's text as it is sent (never its parameters), for
   * tests that count round trips and for diagnostics.
   */
  onQuery?: ((text: string) => void) | undefined;
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** Round-trips `select 1`, failing after `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Subscribes to a NOTIFY channel; resolves to an unsubscribe function. */
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
export const SESSION_SETTINGS = { 'pg_trgm.word_similarity_threshold': '0.45' };

/**
 * Opens the database: PostgreSQL when a URL is given, else embedded PGlite. Each driver is
 * imported only when chosen, so a server on PostgreSQL never loads PGlite (~14 MiB) and the
 * reverse.
 */
export async function createDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const { createPostgres } = await import('./driver-postgres.js');
    return createPostgres(options.url, options.poolMax ?? 10, options.onQuery);
  }
  const { createPglite } = await import('./driver-pglite.js');
  return createPglite(options.dataDir ?? 'memory://', options.pgliteSnapshots);
}

export async function ping(db: Database, timeoutMs = 2000): Promise<boolean> {
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

/** See `writePgliteSnapshot` in driver-pglite.ts; imported on call, like the driver. */
export async function writePgliteSnapshot(dir: string): Promise<string> {
  const driver = await import('./driver-pglite.js');
  return driver.writePgliteSnapshot(dir);
}
