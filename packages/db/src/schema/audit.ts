import type { AuditAction, AuditTarget } from '@atrium/contracts';
import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { id, instant } from './columns.js';

/**
 * The audit log: one row per audited change, written in the change's own transaction. No foreign
 * keys: the log outlives the users, orgs and roles it names.
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
  },
  (t) => [index('audit_events_org_idx').on(t.orgId, t.at)],
);
export type AuditEventRow = typeof auditEvents.$inferSelect;
