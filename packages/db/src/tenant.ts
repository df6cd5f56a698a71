import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Database } from './client.js';

/** A table whose rows belong to one organization. */
export type TenantTable = PgTable & { orgId: PgColumn };

/** Keys a scope never writes: the owning org is the scope's, and a row keeps the id it was given. */
const FIXED = ['orgId', 'id'] as const;
type Fixed = (typeof FIXED)[number];

/**
 * The types keep `orgId` and `id` out of a scope's writes; this keeps them out at run time too,
 * for values that arrive typed loosely (a spread request body once moved rows between orgs).
 */
function refuseFixed(values: object, action: 'insert' | 'update') {
  const named = FIXED.filter((key) => Object.hasOwn(values, key));
  if (named.length) throw new TypeError(`A tenant scope does not ${action} ${named.join(' or ')}.`);
}

/**
 * Data access for tenant tables, bound to one organization: every read, update and delete is
 * filtered by its id and every insert is stamped with it. Modules reach tenant tables only
 * through the scope the tenancy guard hands them, so a query without the filter cannot be written
 * by accident. Inside a transaction, scope the transaction: `tenantScope(tx, orgId)`.
 */
export function tenantScope(db: Database, orgId: string) {
  const owned = (table: TenantTable, where?: SQL) => and(eq(table.orgId, orgId), where);
  return {
    orgId,
    db,
    /** The org filter on `table`, and `where` if given: for selects and joins. */
    where: owned,
    select<T extends TenantTable>(table: T, where?: SQL) {
      return db
        .select()
        .from(table as PgTable)
        .where(owned(table, where));
    },
    insert<T extends TenantTable>(table: T, values: Omit<T['$inferInsert'], Fixed>) {
      refuseFixed(values, 'insert');
      return db.insert(table).values({ ...values, orgId } as T['$inferInsert']);
    },
    update<T extends TenantTable>(table: T, set: Omit<PgUpdateSetSource<T>, Fixed>, where?: SQL) {
      refuseFixed(set, 'update');
      return db
        .update(table)
        .set(set as PgUpdateSetSource<T>)
        .where(owned(table, where));
    },
    delete<T extends TenantTable>(table: T, where?: SQL) {
      return db.delete(table).where(owned(table, where));
    },
    /** Runs a statement prepared with `orgPlaceholder`, binding this org's id. */
    execute<P extends Record<string, unknown>, R>(
      prepared: { execute(params: P & { orgId: string }): Promise<R> },
      params: P,
    ): Promise<R> {
      return prepared.execute({ ...params, orgId });
    },
  };
}
export type TenantScope = ReturnType<typeof tenantScope>;

/**
 * The org filter of a prepared statement (hot queries are prepared once per process): the org id
 * is a placeholder that only `scope.execute` fills in.
 */
export const orgPlaceholder = (table: TenantTable) => eq(table.orgId, sql.placeholder('orgId'));
