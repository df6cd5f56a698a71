import { HistoryActions, InteractionTypes } from '@atrium/contracts';
import { sql } from 'drizzle-orm';
import { customType, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { createdAt, id, instant } from './columns.js';
import { organizations } from './orgs.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const interactions = pgTable(
  'interactions',
  {
    id: id(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    type: text({ enum: InteractionTypes }).notNull(),
    lead: text().notNull(),
    startAt: instant().notNull(),
    endAt: instant().notNull(),
    timezone: text().notNull(),
    location: text(),
    description: text(),
    notes: text(),
    createdBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    updatedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: instant().notNull().defaultNow(),
    version: integer().notNull().default(1),
    /** Weighted full-text document: title > lead, type > location, description > notes. */
    searchVector: tsvector().generatedAlwaysAs(
      sql`setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(lead, '') || ' ' || coalesce(type, '')), 'B') || setweight(to_tsvector('english', coalesce(location, '') || ' ' || coalesce(description, '')), 'C') || setweight(to_tsvector('english', coalesce(notes, '')), 'D')`,
    ),
  },
  (t) => [
    index('interactions_org_id_idx').on(t.orgId, t.id),
    index('interactions_org_start_idx').on(t.orgId, t.startAt, t.id),
    index('interactions_org_title_idx').on(t.orgId, t.title, t.id),
    index('interactions_search_idx').using('gin', t.searchVector),
    // Typo tolerance on the short fields (pg_trgm; see the migration).
    index('interactions_title_trgm_idx').using('gin', sql`${t.title} gin_trgm_ops`),
    index('interactions_lead_trgm_idx').using('gin', sql`${t.lead} gin_trgm_ops`),
  ],
);
export type InteractionRow = typeof interactions.$inferSelect;

/** The audit trail. No foreign key to the interaction: history outlives what it describes. */
export const interactionHistory = pgTable(
  'interaction_history',
  {
    id: id(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    interactionId: uuid().notNull(),
    action: text({ enum: HistoryActions }).notNull(),
    actorId: uuid().references(() => users.id, { onDelete: 'set null' }),
    at: instant().notNull().defaultNow(),
    changes: jsonb().$type<Record<string, { from: unknown; to: unknown }>>().notNull(),
  },
  (t) => [index('interaction_history_lookup_idx').on(t.orgId, t.interactionId, t.id)],
);
export type InteractionHistoryRow = typeof interactionHistory.$inferSelect;
