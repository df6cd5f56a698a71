import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, instant } from './columns.js';

/**
 * `done`: the effect happened (a provider accepted the email). `logged` and `not_sent`: finished
 * without happening (the console transport, MAIL_TRANSPORT=none), never to be counted as
 * delivered nor run again.
 */
export const deliveryStatuses = ['pending', 'done', 'logged', 'not_sent'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
export type FinishedDeliveryStatus = Exclude<DeliveryStatus, 'pending'>;

/**
 * One row per external side effect (an email sent, a CRM upsert), keyed by the job's idempotency
 * key and the effect's kind. A job delivered twice finds the row finished and skips the effect.
 * `pending` rows carry a lease: a worker that died mid-send leaves a row another worker may take
 * over once `lease_until` has passed, so a crash never blocks a delivery for good. Every finished
 * row has a `done_at`, which pruning goes by.
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
    index('deliveries_done_at_idx').on(t.doneAt).where(sql`${t.doneAt} is not null`),
    // A job's effects by its key alone, as a lead's timeline joins them to its jobs (the primary
    // key leads with the kind).
    index('deliveries_key_idx').on(t.key),
  ],
);
export type DeliveryRow = typeof deliveries.$inferSelect;
