import type { Interaction, InteractionListQuery } from '@atrium/contracts';
import {
  and,
  desc,
  eq,
  getTableColumns,
  gte,
  lt,
  type SQL,
  type SQLWrapper,
  sql,
} from 'drizzle-orm';
import { type InteractionRow, interactions } from '../schema/index.js';

// The interaction reads the interactions module and cross-org search (`/search`) both run: the
// columns, the mapping, the search text, the filters and the relevance ranking.

const { searchVector: _searchVector, ...columns } = getTableColumns(interactions);
/** Every column but the search vector, which no response needs. */
export const interactionColumns = columns;

export const toInteraction = (row: Omit<InteractionRow, 'searchVector'>): Interaction => ({
  id: row.id,
  orgId: row.orgId,
  title: row.title,
  type: row.type,
  lead: row.lead,
  startAt: row.startAt.toISOString(),
  endAt: row.endAt.toISOString(),
  timezone: row.timezone,
  location: row.location,
  description: row.description,
  notes: row.notes,
  createdBy: row.createdBy,
  updatedBy: row.updatedBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: row.version,
});

const MAX_WORDS = 16;
const MAX_WORD_LENGTH = 64;

export interface SearchText {
  /** A `to_tsquery` expression built only from letters and digits: nothing in it is syntax. */
  tsquery: string;
  /** The words joined by spaces, for trigram similarity on the short fields. */
  plain: string;
}

/**
 * Turns any user text into a safe full-text query: its words, all required, the last one as a
 * prefix (people search while typing). Operators, quotes, `%`, `:*`, NUL and the like are never
 * passed through, so no input can break the query. Undefined when the text has no word at all.
 */
export function searchText(q: string): SearchText | undefined {
  const words = (q.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [])
    .slice(0, MAX_WORDS)
    .map((w) => w.slice(0, MAX_WORD_LENGTH).toLowerCase());
  if (words.length === 0) return undefined;
  const terms = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w));
  return { tsquery: terms.join(' & '), plain: words.join(' ') };
}

/** Relevance is ranked among this many matches at most, so a very common word stays fast. */
export const SEARCH_CANDIDATES = 2000;

export type InteractionFilters = Omit<InteractionListQuery, 'limit' | 'cursor' | 'sort'>;

/** The WHERE conditions of the list, the export and cross-org search, minus the org filter. */
export function filterConditions(
  filters: InteractionFilters,
  text: SearchText | undefined,
): SQL | undefined {
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
function rank(text: SearchText): SQL<number> {
  return sql<number>`(ts_rank_cd(${interactions.searchVector}, to_tsquery('english', ${text.tsquery})) + greatest(word_similarity(${text.plain}, ${interactions.title}), word_similarity(${text.plain}, ${interactions.lead})))::float8`;
}

/** The columns of ranked candidates: every interaction column and its `rank`. */
export const rankedColumns = (text: SearchText) => ({
  ...interactionColumns,
  rank: rank(text).as('rank'),
});

/** Where a page of ranked candidates resumes: after (rank, id) in descending order. */
export interface RankCursor {
  rank: number;
  id: string;
}

/** Ranked candidates (a subquery of `rankedColumns`) by descending relevance, after the cursor. */
export function byRank(candidates: { rank: SQLWrapper; id: SQLWrapper }, after?: RankCursor) {
  return {
    where: after
      ? sql`(${candidates.rank}, ${candidates.id}) < (${after.rank}::float8, ${after.id}::uuid)`
      : undefined,
    orderBy: [desc(candidates.rank), desc(candidates.id)],
  };
}
