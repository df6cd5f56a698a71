import type { HistoryEntry } from '@atrium/contracts';
import { type InteractionHistoryRow, interactionHistory, type TenantScope } from '@atrium/db';
import { and, asc, eq, gt } from '@atrium/db/orm';
import { NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';

const toEntry = (row: InteractionHistoryRow): HistoryEntry => ({
  id: row.id,
  interactionId: row.interactionId,
  action: row.action,
  actor: row.actorId,
  at: row.at.toISOString(),
  changes: row.changes,
});

/** Oldest first. Readable after the interaction is deleted: the trail outlives the record. */
export async function listHistory(
  scope: TenantScope,
  interactionId: string,
  query: { limit?: number; cursor?: string },
) {
  if (!isUuid(interactionId)) throw new NotFound('interaction');
  const limit = query.limit ?? 20;
  const cursor = idCursor(query.cursor);
  const rows = await scope
    .select(
      interactionHistory,
      and(
        eq(interactionHistory.interactionId, interactionId),
        cursor ? gt(interactionHistory.id, cursor) : undefined,
      ),
    )
    .orderBy(asc(interactionHistory.id))
    .limit(limit + 1);
  if (rows.length === 0 && !cursor) throw new NotFound('interaction');
  return toPage(rows as InteractionHistoryRow[], limit, toEntry, (r) => r.id);
}
