import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, instant } from './columns.js';

export const outboxStatuses = ['pending', 'dispatched', 'completed', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/**
 * The transactional outbox: a job is a row written in the same transaction as the business
 * change that causes it; the relay moves pending rows to the queue driver.
 * `dispatched` means handed to BullMQ (which then owns retries) or, embedded, taken by the
 * in-process runner; the in-process runner also records `completed` and `failed` here.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: id(),
    queue: text().notNull(),
    payload: jsonb().notNull(),
    idempotencyKey: text().notNull().unique('outbox_idempotency_key_unique'),
    status: text({ enum: outboxStatuses }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    availableAt: instant().notNull().defaultNow(),
    createdAt: createdAt(),
    dispatchedAt: instant(),
    finishedAt: instant(),
    lastError: text(),
  },
  (t) => [index('outbox_pending_idx').on(t.availableAt).where(sql`${t.status} = 'pending'`)],
);
export type OutboxRow = typeof outbox.$inferSelect;
