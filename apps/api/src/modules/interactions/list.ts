import type { InteractionListQuery } from '@atrium/contracts';
import {
  type Database,
  interactions,
  memberships,
  organizations,
  type TenantScope,
} from '@atrium/db';
import { and, desc, eq, inArray, type SQL, sql } from '@atrium/db/orm';
import { decodeCursor, encodeCursor, invalidCursor, isUuid, toPage } from '../../pagination.js';
import { interactionColumns } from './columns.js';
import { toInteraction } from './mapping.js';
import { filterConditions, parseQ, rank, SEARCH_CANDIDATES, SORTS } from './query.js';
import type { SearchText } from './search-text.js';

/**
 * The org's interactions, filtered and keyset-paginated. With `q` and no explicit sort they are
 * ranked by relevance among the first SEARCH_CANDIDATES matches.
 */
export async function listInteractions(scope: TenantScope, query: InteractionListQuery) {
  const limit = query.limit ?? 20;
  const text = parseQ(query.q);
  const where = scope.where(interactions, filterConditions(query, text));
  if (text && !query.sort) return rankedPage(scope.db, where, text, limit, query.cursor);
  const sort = SORTS[query.sort ?? '-createdAt'];
  const rows = await scope.db
    .select(interactionColumns)
    .from(interactions)
    .where(and(where, query.cursor ? sort.after(query.cursor) : undefined))
    .orderBy(...sort.orderBy)
    .limit(limit + 1);
  return toPage(rows, limit, toInteraction, sort.cursorOf);
}

/** A page of matches by descending relevance; the cursor carries (rank, id). */
async function rankedPage(
  db: Database,
  where: SQL | undefined,
  text: SearchText,
  limit: number,
  cursor: string | undefined,
) {
  const candidates = db
    .select({ ...interactionColumns, rank: rank(text).as('rank') })
    .from(interactions)
    .where(where)
    .limit(SEARCH_CANDIDATES)
    .as('candidates');
  const after = cursor ? rankCursor(cursor) : undefined;
  const rows = await db
    .select()
    .from(candidates)
    .where(
      after
        ? sql`(${candidates.rank}, ${candidates.id}) < (${after.rank}::float8, ${after.id}::uuid)`
        : undefined,
    )
    .orderBy(desc(candidates.rank), desc(candidates.id))
    .limit(limit + 1);
  return toPage(rows, limit, toInteraction, (row) => encodeCursor([row.rank, row.id]));
}

function rankCursor(cursor: string) {
  const [rankValue, id] = decodeCursor(cursor, ['number', 'string']);
  if (!isUuid(id)) throw invalidCursor();
  return { rank: rankValue, id };
}

/** Search across every org the user belongs to (the seeds' site-scoped search), by relevance. */
export async function searchMyOrgs(
  db: Database,
  userId: string,
  query: { q: string; limit?: number; cursor?: string },
) {
  const limit = query.limit ?? 20;
  const text = parseQ(query.q)!;
  const mine = db
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .where(eq(memberships.userId, userId));
  const where = and(inArray(interactions.orgId, mine), filterConditions({}, text));
  const page = await rankedPage(db, where, text, limit, query.cursor);
  const orgIds = [...new Set(page.items.map((i) => i.orgId))];
  const orgs = orgIds.length
    ? await db
        .select({ id: organizations.id, name: organizations.name, slug: organizations.slug })
        .from(organizations)
        .where(inArray(organizations.id, orgIds))
    : [];
  const byId = new Map(orgs.map((o) => [o.id, o]));
  return {
    items: page.items.map((interaction) => ({
      interaction,
      organization: byId.get(interaction.orgId)!,
    })),
    nextCursor: page.nextCursor,
  };
}
