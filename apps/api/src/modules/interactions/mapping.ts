import type { Interaction } from '@atrium/contracts';
import type { InteractionRow } from '@atrium/db';

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
