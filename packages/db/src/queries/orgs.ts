import type { Organization, OrgRole } from '@atrium/contracts';
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  type InvitationRow,
  invitations,
  memberships,
  type OrganizationRow,
  organizations,
} from '../schema/index.js';
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

// Accepting an invitation: shared by the invitations module and sign-up with an invitation token.

/** Pending: neither accepted nor revoked, and not expired. */
export const pendingInvitation = () =>
  and(
    isNull(invitations.acceptedAt),
    isNull(invitations.revokedAt),
    gt(invitations.expiresAt, sql`now()`),
  );

/** The pending invitation carrying this token (any org), locked until the transaction ends. */
export async function lockPendingByToken(tx: Database, tokenHash: string) {
  const [row] = await tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.tokenHash, tokenHash), pendingInvitation()))
    .for('update');
  return row;
}

export async function markAccepted(tx: Database, id: string) {
  await tx.update(invitations).set({ acceptedAt: sql`now()` }).where(eq(invitations.id, id));
}

/** Adds the membership unless the user already has one; true when added. */
export async function insertMembership(
  tx: Database,
  values: { orgId: string; userId: string; role: InvitationRow['role'] },
) {
  const added = await tx
    .insert(memberships)
    .values({ orgId: values.orgId, userId: values.userId, role: values.role })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  return added.length > 0;
}

export async function organizationById(tx: Database, orgId: string) {
  const [org] = await tx.select().from(organizations).where(eq(organizations.id, orgId));
  return org;
}
