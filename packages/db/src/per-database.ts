import type { Database } from './client.js';

/**
 * Makes `make(db)` once per `Database` and hands the same result back after: for statements a
 * module prepares on whatever database it is given. Drizzle builds a query's SQL every time it
 * is prepared, which costs more CPU than a hot statement's round trip.
 */
export function perDatabase<T>(make: (db: Database) => T): (db: Database) => T {
  const made = new WeakMap<Database, T>();
  return (db) => {
    let found = made.get(db);
    if (found === undefined) {
      found = make(db);
      made.set(db, found);
    }
    return found;
  };
}
