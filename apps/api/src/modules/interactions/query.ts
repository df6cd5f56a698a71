import type { InteractionListQuery, InteractionSort } from '@atrium/contracts';
import { interactions } from '@atrium/db';
import { and, asc, desc, eq, gte, lt, type SQL, sql } from '@atrium/db/orm';
import { decodeCursor, encodeCursor, invalidCursor, isUuid } from '../../pagination.js';
import { parseSearchText, type SearchText } from './search-text.js';

/** Relevance is ranked among this many matches at most, so a very common word stays fast. */
export const SEARCH_CANDIDATES = 2000;

export type Filters = Omit<InteractionListQuery, 'limit' | 'cursor' | 'sort'>;

/** The WHERE conditions of the list, the export and cross-org search, minus the org filter. */
export function filterConditions(filters: Filters, text: SearchText | undefined): SQL | undefined {
  return and(
    text ? matches(text) : undefined,
    filters.type ? eq(interactions.type, filters.type) : undefined,
    filters.lead ? eq(sql`lower(${interactions.lead})`, filters.lead.toLowerCase()) : undefined,
    filters.from ? gte(interactions.startAt, new Date(filters.from)) : undefined,
    filters.to ? lt(interactions.startAt, new Date(filters.to)) : undefined,
  );
}

/** Full-text match on every field, or a near spelling of the short ones (pg_trgm word similarity). */
function matches(text: SearchText): SQL {
  return sql`(${interactions.searchVector} @@ to_tsquery('english', ${text.tsquery}) or ${text.plain} <% ${interactions.title} or ${text.plain} <% ${interactions.lead})`;
}

/** Relevance: full-text rank (field weights A–D) plus the best trigram similarity of the short fields. */
export function rank(text: SearchText): SQL<number> {
  return sql<number>`(ts_rank_cd(${interactions.searchVector}, to_tsquery('english', ${text.tsquery})) + greatest(word_similarity(${text.plain}, ${interactions.title}), word_similarity(${text.plain}, ${interactions.lead})))::float8`;
}

export const parseQ = (q: string | undefined) => (q === undefined ? undefined : parseSearchText(q));

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
