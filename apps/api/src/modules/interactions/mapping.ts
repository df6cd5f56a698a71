import type { HistoryEntry } from '@atrium/contracts';
import type { InteractionHistoryRow } from '@atrium/db';

// Interactions themselves map with `toInteraction` from @atrium/db/queries: cross-org search
// returns them too.

export const toHistoryEntry = (row: InteractionHistoryRow): HistoryEntry => ({
  id: row.id,
  interactionId: row.interactionId,
  action: row.action,
  actor: row.actorId,
  at: row.at.toISOString(),
  changes: row.changes,
});
