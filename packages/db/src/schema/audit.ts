import type { AuditAction, AuditTarget } from '@atrium/contracts';
import { bigint, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id, instant } from './columns.js';

/**
 * The audit log: one row per audited change, written in the change's own transaction. No foreign
 * keys: the log outlives the users, orgs and roles it names.
 *
 * Tamper-evident: a BEFORE INSERT trigger (migration 0016, SQL Drizzle cannot express) takes an
 * advisory lock, numbers the row (`seq`, gap-free), chains it to the previous row (`prevHash`) and
 * sets `hash = sha256(prevHash ‖ canonical(row))`, whatever the insert passed for those three.
 * Other triggers refuse UPDATE, TRUNCATE and any DELETE but retention's (`pruneAudit`).
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: id(),
    at: instant().notNull().defaultNow(),
    /** Null for the system (jobs) and for failed sign-ins of unknown accounts. */
    actorId: uuid(),
    actorIp: text(),
    action: text().$type<AuditAction>().notNull(),
    targetType: text().$type<AuditTarget>().notNull(),
    targetId: text(),
    /** Set when the change belongs to one org, so its owners can read it. */
    orgId: uuid(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    // The trigger sets these three; the defaults only let an insert leave them out.
    seq: bigint({ mode: 'number' }).notNull().default(0),
    prevHash: text().notNull().default(''),
    hash: text().notNull().default(''),
  },
  (t) => [
    index('audit_events_org_idx').on(t.orgId, t.at),
    uniqueIndex('audit_events_seq_idx').on(t.seq),
    index('audit_events_action_idx').on(t.action, t.seq),
    index('audit_events_actor_idx').on(t.actorId, t.seq),
  ],
);
export type AuditEventRow = typeof auditEvents.$inferSelect;
