import { eq, type SQL, sql } from 'drizzle-orm';
import type {
  PgColumn,
  PgDeleteBase,
  PgInsertBase,
  PgQueryResultHKT,
  PgSelect,
  PgTable,
  PgUpdateBase,
  PgUpdateSetSource,
  SelectedFields,
  SubqueryWithSelection,
} from 'drizzle-orm/pg-core';
import type { SelectResultFields } from 'drizzle-orm/query-builders/select.types';
import type { Database } from './client.js';
import { perDatabase } from './per-database.js';

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
 * The org filter and the caller's condition, which is parenthesized: Drizzle's `and()` joins its
 * operands bare, so a condition like `a or b` would otherwise read `org and a or b`, every org's b.
 */
const withFilter = (filter: SQL, condition: SQL | undefined) =>
  condition ? sql`${filter} and (${condition})` : filter;

const isTenantTable = (table: PgTable): table is TenantTable =>
  (table as Partial<TenantTable>).orgId !== undefined;

/** What a scoped select may add to the org filter; the filter itself is not the caller's. */
export interface SelectOptions {
  where?: SQL | undefined;
  orderBy?: (SQL | PgColumn)[];
  limit?: number;
  /** Row locks held until the transaction ends. */
  lock?: 'update' | 'no key update';
  /** Inner joins; a joined tenant table is filtered by the same org. */
  join?: { table: PgTable; on: SQL }[];
}

/** What a scoped select hands back: rows to await. Not the Drizzle builder, whose `where`, joins
 * and `$dynamic` could replace or bypass the org filter. */
export interface ScopedSelect<R> extends PromiseLike<R[]> {
  toSQL(): { sql: string; params: unknown[] };
}
/** Rows of `columns`, as Drizzle types them. */
export type Selected<C extends SelectedFields> = SelectResultFields<C>;
declare const scopedBy: unique symbol;
/** A subquery built by a scope: the only kind a scope selects from. */
export type ScopedSubquery<C extends SelectedFields, A extends string> = SubqueryWithSelection<
  C,
  A
> & { readonly [scopedBy]: true };
/** The org each scoped subquery was built for, checked when a scope selects from it. */
const subqueryOrgs = new WeakMap<object, string>();

/**
 * A statement prepared once per database whose WHERE starts with the org filter: the org id is a
 * placeholder only `scope.execute` fills in. The hot reads go through these (no query building
 * per request, one round trip).
 */
export interface TenantStatement<P extends Record<string, unknown>, R> {
  readonly name: string;
  /** Types only: what it takes and returns. */
  readonly types?: { params: P; rows: R };
}
type Prepared = { execute(params: Record<string, unknown>): Promise<unknown> };
/** How each tenant statement is prepared on a database; only statements made here run. */
const preparers = new WeakMap<object, (db: Database) => Prepared>();
/** What each tenant statement selects, for `tenantRow`. */
const definitions = new WeakMap<
  object,
  { table: TenantTable; columns: SelectedFields; where: SQL }
>();

/** `select columns from table where org = $orgId and where`, prepared as `name` on each database. */
export function tenantStatement<P extends Record<string, unknown>, C extends SelectedFields>(
  name: string,
  table: TenantTable,
  columns: C,
  where: SQL,
) {
  const statement: TenantStatement<P, Selected<C>[]> = { name };
  definitions.set(statement, { table, columns, where });
  preparers.set(
    statement,
    perDatabase((db) =>
      db
        .select(columns)
        .from(table as PgTable)
        .where(withFilter(eq(table.orgId, sql.placeholder('orgId')), where))
        .prepare(name),
    ),
  );
  return statement;
}

/**
 * A tenant statement's rows as a subquery named `row`, filtered by the org placeholder `orgId`
 * like the statement itself, for a caller that reads something else in the same round trip (the
 * auth plugin reads the session, the membership and the route's row in one statement on a cache
 * miss). Whoever fills `orgId` must be the one that checked the caller belongs to it.
 */
export function tenantRow(
  db: Database,
  statement: TenantStatement<Record<string, unknown>, unknown>,
) {
  const definition = definitions.get(statement);
  if (!definition) throw new TypeError('tenantRow takes only statements made by tenantStatement.');
  const { table, columns, where } = definition;
  const row = db
    .select(columns)
    .from(table as PgTable)
    .where(withFilter(eq(table.orgId, sql.placeholder('orgId')), where))
    .as('row');
  return { row, columns: Object.keys(columns) };
}

/** A statement's rows read ahead of the handler (see `tenantRow`): `execute` hands them over once. */
export interface Prefetched {
  statement: TenantStatement<Record<string, unknown>, unknown>;
  params: Record<string, unknown>;
  rows: unknown[];
}

const sameParams = (a: Record<string, unknown>, b: Record<string, unknown>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
};

/** What a scope's writes do not offer: ways to replace the filter or read other tables. */
type Unfiltered =
  | '$dynamic'
  | 'where'
  | 'from'
  | 'innerJoin'
  | 'leftJoin'
  | 'rightJoin'
  | 'fullJoin'
  | 'onConflictDoUpdate';
/**
 * Data access for tenant tables, bound to one organization. It has no database handle and no
 * way to write a filter by hand: see `tenantScope`.
 */
export interface TenantScope {
  readonly orgId: string;
  /** `columns` of the org's rows in `table`, with the options' conditions, order, limit, lock. */
  select<C extends SelectedFields>(
    table: TenantTable,
    columns: C,
    options?: SelectOptions,
  ): ScopedSelect<Selected<C>>;
  /** The same select as a subquery named `alias`, for `selectFrom`. */
  subquery<C extends SelectedFields, A extends string>(
    alias: A,
    table: TenantTable,
    columns: C,
    options?: Omit<SelectOptions, 'lock'>,
  ): ScopedSubquery<C, A>;
  /** Rows of a subquery this org's scope built (e.g. to rank a capped set of candidates). */
  selectFrom<C extends SelectedFields, A extends string>(
    subquery: ScopedSubquery<C, A>,
    options?: Pick<SelectOptions, 'where' | 'orderBy' | 'limit'>,
  ): ScopedSelect<Selected<C>>;
  insert<T extends TenantTable>(
    table: T,
    values: Omit<T['$inferInsert'], Fixed>,
  ): Omit<PgInsertBase<T, PgQueryResultHKT>, Unfiltered>;
  update<T extends TenantTable>(
    table: T,
    set: Omit<PgUpdateSetSource<T>, Fixed>,
    where?: SQL,
  ): Omit<PgUpdateBase<T, PgQueryResultHKT>, Unfiltered>;
  delete<T extends TenantTable>(
    table: T,
    where?: SQL,
  ): Omit<PgDeleteBase<T, PgQueryResultHKT>, Unfiltered>;
  /** Runs a `tenantStatement`, binding this org's id. */
  execute<P extends Record<string, unknown>, R>(
    statement: TenantStatement<P, R>,
    params: P,
  ): Promise<R>;
  /** Runs `fn` in a transaction, handing it the same org's scope on that transaction. */
  transaction<R>(fn: (scope: TenantScope) => Promise<R>): Promise<R>;
}

/**
 * Data access for tenant tables, bound to one organization: every read, join, update and delete
 * is filtered by its id and every insert is stamped with it. Org-scoped code holds only this, never
 * the database: the filter is added here, in one place, and cannot be left out or replaced.
 * A transaction's handle is a scope too.
 */
export function tenantScope(db: Database, orgId: string, prefetched?: Prefetched): TenantScope {
  return new OrgScope(db, orgId, prefetched);
}

/**
 * `TenantScope` as a class: one object per request instead of a dozen closures. The database
 * and the prefetched rows are `#private`, unreachable from outside as a closure's variables were.
 */
class OrgScope implements TenantScope {
  readonly #db: Database;
  #prefetched: Prefetched | undefined;

  constructor(
    db: Database,
    readonly orgId: string,
    prefetched: Prefetched | undefined,
  ) {
    this.#db = db;
    this.#prefetched = prefetched;
  }

  #owned(table: TenantTable, where?: SQL) {
    return withFilter(eq(table.orgId, this.orgId), where);
  }

  // Built dynamically and typed by `TenantScope`'s signatures, which follow Drizzle's own.
  #build(table: TenantTable, columns: SelectedFields, options: SelectOptions) {
    let query = this.#db
      .select(columns)
      .from(table as PgTable)
      .$dynamic() as PgSelect;
    for (const { table: other, on } of options.join ?? []) {
      const condition = isTenantTable(other) ? this.#owned(other, on) : on;
      query = query.innerJoin(other, condition) as PgSelect;
    }
    query = query.where(this.#owned(table, options.where)) as PgSelect;
    return finish(query, options);
  }

  select(table: TenantTable, columns: SelectedFields, options: SelectOptions = {}) {
    return this.#build(table, columns, options) as never;
  }

  subquery(
    alias: string,
    table: TenantTable,
    columns: SelectedFields,
    options: SelectOptions = {},
  ) {
    const subquery = this.#build(table, columns, options).as(alias);
    subqueryOrgs.set(subquery, this.orgId);
    return subquery as never;
  }

  selectFrom(subquery: object, options: Pick<SelectOptions, 'where' | 'orderBy' | 'limit'> = {}) {
    if (subqueryOrgs.get(subquery) !== this.orgId) {
      throw new TypeError('A tenant scope selects only from subqueries its own org built.');
    }
    const query = this.#db
      .select()
      .from(subquery as unknown as SubqueryWithSelection<SelectedFields, string>)
      .$dynamic() as PgSelect;
    return finish(query.where(options.where) as PgSelect, options) as never;
  }

  insert(table: TenantTable, values: object) {
    refuseFixed(values, 'insert');
    return this.#db.insert(table).values({ ...values, orgId: this.orgId } as never) as never;
  }

  update(table: TenantTable, set: object, where?: SQL) {
    refuseFixed(set, 'update');
    return this.#db
      .update(table)
      .set(set as never)
      .where(this.#owned(table, where)) as never;
  }

  delete(table: TenantTable, where?: SQL) {
    return this.#db.delete(table).where(this.#owned(table, where)) as never;
  }

  execute<P extends Record<string, unknown>, R>(statement: TenantStatement<P, R>, params: P) {
    const prefetched = this.#prefetched;
    if (prefetched?.statement === statement && sameParams(prefetched.params, params)) {
      this.#prefetched = undefined;
      return Promise.resolve(prefetched.rows) as Promise<R>;
    }
    const prepare = preparers.get(statement);
    if (!prepare)
      throw new TypeError('A tenant scope runs only statements made by tenantStatement.');
    return prepare(this.#db).execute({ ...params, orgId: this.orgId }) as Promise<R>;
  }

  transaction<R>(fn: (scope: TenantScope) => Promise<R>): Promise<R> {
    return this.#db.transaction((tx) => fn(new OrgScope(tx, this.orgId, undefined)));
  }
}

function finish(query: PgSelect, options: SelectOptions) {
  if (options.orderBy) query = query.orderBy(...options.orderBy) as PgSelect;
  if (options.limit !== undefined) query = query.limit(options.limit) as PgSelect;
  if (options.lock) query = query.for(options.lock) as PgSelect;
  return query;
}
