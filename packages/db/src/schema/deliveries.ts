import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, instant } from './columns.js';

export const deliveryStatuses = ['pending', 'done'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * One row per external side effect (an email sent, a CRM upsert), keyed by the job's idempotency
 * key and the effect's kind. A job delivered twice finds the row `done` and skips the effect.
 * `pending` rows carry a lease: a worker that died mid-send leaves a row another worker may take
 * over once `lease_until` has passed, so a crash never blocks a delivery for good.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    kind: text().notNull(),
    key: text().notNull(),
    status: text({ enum: deliveryStatuses }).notNull().default('pending'),
    leaseUntil: instant().notNull(),
    /** How many times the effect was started: above 1 only after a failure or a lost lease. */
    attempts: integer().notNull().default(1),
    createdAt: createdAt(),
    doneAt: instant(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.key] }),
    index('deliveries_done_at_idx').on(t.doneAt).where(sql`${t.status} = 'done'`),
  ],
);
export type DeliveryRow = typeof deliveries.$inferSelect;
