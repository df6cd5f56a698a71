import type { Invitation } from '@atrium/contracts';
import type { InvitationRow } from '@atrium/db';

export const toInvitation = (row: InvitationRow): Invitation => ({
  id: row.id,
  orgId: row.orgId,
  email: row.email,
  role: row.role,
  invitedBy: row.invitedBy,
  expiresAt: row.expiresAt.toISOString(),
  createdAt: row.createdAt.toISOString(),
});
