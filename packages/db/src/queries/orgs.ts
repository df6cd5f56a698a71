import type { Organization, OrgRole } from '@atrium/contracts';
import { or } from 'drizzle-orm';
import type { Database } from '../client.js';
import { invitations, type OrganizationRow } from '../schema/index.js';
import { olderThanDays } from './age.js';

/** An organization as its member sees it, with their role (the orgs and invitations modules). */
export const toOrganization = (row: OrganizationRow, role: OrgRole): Organization => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  role,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Retention: expired, accepted or revoked invitations, kept 30 days for the org's admins to see. */
export async function purgeOldInvitations(db: Database): Promise<number> {
  const rows = await db
    .delete(invitations)
    .where(
      or(
        olderThanDays(invitations.expiresAt, 30),
        olderThanDays(invitations.acceptedAt, 30),
        olderThanDays(invitations.revokedAt, 30),
      ),
    )
    .returning({ id: invitations.id });
  return rows.length;
}
