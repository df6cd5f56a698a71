import { type Database, interactions, memberships, organizations } from '@atrium/db';
import { and, eq, inArray } from '@atrium/db/orm';
import {
  byRank,
  filterConditions,
  type RankCursor,
  rankedColumns,
  SEARCH_CANDIDATES,
  type SearchText,
} from '@atrium/db/queries';

/**
 * The one read of interactions across tenants: `limit` matches by descending relevance among
 * the first SEARCH_CANDIDATES in the orgs where `userId` is a member, and in no other.
 */
export function rankedInMyOrgs(
  db: Database,
  userId: string,
  text: SearchText,
  limit: number,
  after?: RankCursor,
) {
  const mine = db
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .where(eq(memberships.userId, userId));
  const candidates = db
    .select(rankedColumns(text))
    .from(interactions)
    .where(and(inArray(interactions.orgId, mine), filterConditions({}, text)))
    .limit(SEARCH_CANDIDATES)
    .as('candidates');
  const { where, orderBy } = byRank(candidates, after);
  return db
    .select()
    .from(candidates)
    .where(where)
    .orderBy(...orderBy)
    .limit(limit);
}

/** The named organizations' public fields, by id. */
export async function organizationsByIds(db: Database, ids: string[]) {
  const rows = ids.length
    ? await db
        .select({ id: organizations.id, name: organizations.name, slug: organizations.slug })
        .from(organizations)
        .where(inArray(organizations.id, ids))
    : [];
  return new Map(rows.map((o) => [o.id, o]));
}
