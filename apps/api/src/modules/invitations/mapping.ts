import type { Invitation, Organization, OrgRole } from '@atrium/contracts';
import type { InvitationRow, OrganizationRow } from '@atrium/db';

export const toInvitation = (row: InvitationRow): Invitation => ({
  id: row.id,
  orgId: row.orgId,
  email: row.email,
  role: row.role,
  invitedBy: row.invitedBy,
  expiresAt: row.expiresAt.toISOString(),
  createdAt: row.createdAt.toISOString(),
});

/**
 * The org just joined, as `POST /invitations/accept` answers it. The same shape the orgs module
 * maps; kept here because modules do not import each other's files.
 */
export const toJoinedOrganization = (row: OrganizationRow, role: OrgRole): Organization => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  role,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});
