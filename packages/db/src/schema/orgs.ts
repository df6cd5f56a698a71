import { OrgRoles } from '@atrium/contracts';
import { sql } from 'drizzle-orm';
import { index, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { createdAt, id, instant } from './columns.js';

export const organizations = pgTable('organizations', {
  id: id(),
  name: text().notNull(),
  slug: text().notNull().unique('organizations_slug_unique'),
  createdAt: createdAt(),
  updatedAt: instant().notNull().defaultNow(),
});
export type OrganizationRow = typeof organizations.$inferSelect;

/** A tenant-scoped table: every row carries the organization it belongs to. */
const orgId = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export const memberships = pgTable(
  'memberships',
  {
    orgId: orgId(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: OrgRoles }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    orgId: orgId(),
    email: text().notNull(),
    role: text({ enum: OrgRoles }).notNull(),
    tokenHash: text().notNull().unique('invitations_token_hash_unique'),
    invitedBy: uuid().references(() => users.id, { onDelete: 'set null' }),
    expiresAt: instant().notNull(),
    acceptedAt: instant(),
    revokedAt: instant(),
    createdAt: createdAt(),
  },
  (t) => [
    // At most one pending invitation per address and org: re-inviting replaces it.
    uniqueIndex('invitations_pending_unique')
      .on(t.orgId, sql`lower(${t.email})`)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    // The invitation limits count recent rows per org and per address (across orgs).
    index('invitations_org_created_idx').on(t.orgId, t.createdAt),
    index('invitations_email_created_idx').on(sql`lower(${t.email})`, t.createdAt),
  ],
);
export type InvitationRow = typeof invitations.$inferSelect;
