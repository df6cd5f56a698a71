import type { InteractionSort } from '@atrium/contracts';
import { interactionHistory, interactions, type TenantScope, tenantStatement } from '@atrium/db';
import { and, asc, desc, eq, getTableColumns, gt, type SQL, sql } from '@atrium/db/orm';
import {
  byRank,
  interactionColumns,
  type RankCursor,
  rankedColumns,
  SEARCH_CANDIDATES,
  type SearchText,
} from '@atrium/db/queries';
import { decodeCursor, encodeCursor, invalidCursor, isUuid } from '../../pagination.js';

/** What a write names: the writable fields, and who and when for changes. */
export type WritableRow = Pick<
  typeof interactions.$inferInsert,
  | 'title'
  | 'type'
  | 'lead'
  | 'startAt'
  | 'endAt'
  | 'timezone'
  | 'location'
  | 'description'
  | 'notes'
>;

interface KeysetSort {
  /** ORDER BY, ending with the id tiebreaker. */
  orderBy: SQL[];
  /** Rows after the cursor, in that order. */
  after(cursor: string): SQL;
  /** The cursor of a row. */
  cursorOf(row: { id: string; startAt: Date; title: string }): string;
}

/**
 * The sort options, each with its keyset: the cursor carries the sort value and the id, and the
 * next page starts strictly after that pair, so pages stay stable under inserts and cost the
 * same at any depth. Only these keys reach SQL (never user text as an identifier).
 */
export const SORTS: Record<InteractionSort, KeysetSort> = {
  startAt: byValue('startAt', 'asc'),
  '-startAt': byValue('startAt', 'desc'),
  title: byValue('title', 'asc'),
  '-title': byValue('title', 'desc'),
  createdAt: byId('asc'),
  '-createdAt': byId('desc'),
};

function byId(direction: 'asc' | 'desc'): KeysetSort {
  const order = direction === 'asc' ? asc : desc;
  return {
    orderBy: [order(interactions.id)],
    after: (cursor) => {
      const [id] = decodeCursor(cursor, ['string']);
      if (!isUuid(id)) throw invalidCursor();
      return direction === 'asc'
        ? sql`${interactions.id} > ${id}::uuid`
        : sql`${interactions.id} < ${id}::uuid`;
    },
    cursorOf: (row) => encodeCursor([row.id]),
  };
}

function byValue(field: 'startAt' | 'title', direction: 'asc' | 'desc'): KeysetSort {
  const column = field === 'startAt' ? interactions.startAt : interactions.title;
  const order = direction === 'asc' ? asc : desc;
  const cast = field === 'startAt' ? sql`timestamptz` : sql`text`;
  return {
    orderBy: [order(column), order(interactions.id)],
    after: (cursor) => {
      const [value, id] = decodeCursor(cursor, ['string', 'string']);
      if (!isUuid(id) || (field === 'startAt' && Number.isNaN(Date.parse(value)))) {
        throw invalidCursor();
      }
      const op = direction === 'asc' ? sql`>` : sql`<`;
      return sql`(${column}, ${interactions.id}) ${op} (${value}::${cast}, ${id}::uuid)`;
    },
    cursorOf: (row) =>
      encodeCursor([field === 'startAt' ? row.startAt.toISOString() : row.title, row.id]),
  };
}

/** `limit` rows in `sort` order matching `where`, after the cursor if one is given. */
export const sortedPage = (
  scope: TenantScope,
  where: SQL | undefined,
  sort: KeysetSort,
  limit: number,
  cursor?: string,
) =>
  scope.select(interactions, interactionColumns, {
    where: and(where, cursor ? sort.after(cursor) : undefined),
    orderBy: sort.orderBy,
    limit,
  });

/** `limit` rows by descending relevance among the first SEARCH_CANDIDATES matches. */
export function rankedPage(
  scope: TenantScope,
  where: SQL | undefined,
  text: SearchText,
  limit: number,
  after?: RankCursor,
) {
  const candidates = scope.subquery('candidates', interactions, rankedColumns(text), {
    where,
    limit: SEARCH_CANDIDATES,
  });
  return scope.selectFrom(candidates, { ...byRank(candidates, after), limit });
}

/** Read by id is the hottest query: prepared once per database, run through the tenant scope. */
export const byIdStatement = tenantStatement<{ id: string }, typeof interactionColumns>(
  'interaction_by_id',
  interactions,
  interactionColumns,
  eq(interactions.id, sql.placeholder('id')),
);

export async function interactionById(scope: TenantScope, id: string) {
  const [row] = await scope.execute(byIdStatement, { id });
  return row;
}

/** The interaction, locked until the transaction ends. */
export async function lockInteraction(scope: TenantScope, id: string) {
  const [row] = await scope.select(interactions, interactionColumns, {
    where: eq(interactions.id, id),
    lock: 'update',
  });
  return row;
}

export async function insertInteraction(scope: TenantScope, values: WritableRow, actorId: string) {
  const [row] = await scope
    .insert(interactions, { ...values, createdBy: actorId, updatedBy: actorId })
    .returning(interactionColumns);
  return row!;
}

/** Writes the new values with version + 1. */
export async function updateInteraction(
  scope: TenantScope,
  id: string,
  values: WritableRow,
  actorId: string,
) {
  const [row] = await scope
    .update(
      interactions,
      {
        ...values,
        updatedBy: actorId,
        updatedAt: sql`now()`,
        version: sql`${interactions.version} + 1`,
      },
      eq(interactions.id, id),
    )
    .returning(interactionColumns);
  return row!;
}

export async function deleteInteractionRow(scope: TenantScope, id: string) {
  const [row] = await scope
    .delete(interactions, eq(interactions.id, id))
    .returning(interactionColumns);
  return row;
}

export const insertHistory = (
  scope: TenantScope,
  entry: Omit<typeof interactionHistory.$inferInsert, 'orgId' | 'id' | 'at'>,
) =>
  scope.insert(interactionHistory, {
    interactionId: entry.interactionId,
    action: entry.action,
    actorId: entry.actorId,
    changes: entry.changes,
  });

/** A page of an interaction's trail, oldest first, after the cursor (an entry id). */
export const historyPage = (
  scope: TenantScope,
  interactionId: string,
  limit: number,
  cursor?: string,
) =>
  scope.select(interactionHistory, getTableColumns(interactionHistory), {
    where: and(
      eq(interactionHistory.interactionId, interactionId),
      cursor ? gt(interactionHistory.id, cursor) : undefined,
    ),
    orderBy: [asc(interactionHistory.id)],
    limit,
  });
