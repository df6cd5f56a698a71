import type { Database } from '@atrium/db';
import { toInteraction } from '@atrium/db/queries';
import { rankCursor, rankCursorOf, toPage } from '../../pagination.js';
import { parseQ } from '../../search-text.js';
import { organizationsByIds, rankedInMyOrgs } from './queries.js';

/**
 * Search across every org the user belongs to (the seeds' site-scoped search), by relevance,
 * each hit with its organization. Not one tenant's read, so not through a tenant scope: the
 * query filters by the caller's memberships itself.
 */
export async function searchMyOrgs(
  db: Database,
  userId: string,
  query: { q: string; limit?: number; cursor?: string },
) {
  const limit = query.limit ?? 20;
  const text = parseQ(query.q)!;
  const rows = await rankedInMyOrgs(db, userId, text, limit + 1, rankCursor(query.cursor));
  const page = toPage(rows, limit, toInteraction, rankCursorOf);
  const byId = await organizationsByIds(db, [...new Set(page.items.map((i) => i.orgId))]);
  return {
    items: page.items.map((interaction) => ({
      interaction,
      organization: byId.get(interaction.orgId)!,
    })),
    nextCursor: page.nextCursor,
  };
}
