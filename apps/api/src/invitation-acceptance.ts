import { hashToken } from '@atrium/auth';
import type { Database } from '@atrium/db';
import {
  type AuditActor,
  insertMembership,
  lockPendingByToken,
  markAccepted,
  organizationById,
  recordAudit,
  toOrganization,
} from '@atrium/db/queries';
import { Conflict, Forbidden, NotFound } from './errors.js';

// Accepting an invitation, shared by POST /invitations/accept (invitations) and sign-up with an
// invitation token (auth): one rule for who may turn an invitation into a membership.

/**
 * Accepts an invitation for `user`, whose email must be the invited one: the only way an org
 * admin's choice turns into a membership. The invitation is consumed in the caller's transaction,
 * the one that adds the membership (and, at sign-up, creates the account).
 */
export async function acceptInvitationIn(
  tx: Database,
  user: { id: string; email: string },
  actor: AuditActor,
  token: string,
) {
  const invitation = await lockPendingByToken(tx, hashToken(token));
  if (!invitation) throw new NotFound('invitation');
  if (invitation.email.toLowerCase() !== user.email.toLowerCase()) {
    throw new Forbidden('This invitation was sent to another email address.');
  }
  const { orgId, role } = invitation;
  if (!(await insertMembership(tx, { orgId, userId: user.id, role }))) {
    throw new Conflict('You are already a member of this organization.');
  }
  await markAccepted(tx, invitation.id);
  const org = await organizationById(tx, orgId);
  if (!org) throw new NotFound('organization');
  await recordAudit(tx, {
    ...actor,
    action: 'org.invitation.accepted',
    targetType: 'invitation',
    targetId: invitation.id,
    orgId,
    data: { userId: user.id, role },
  });
  return toOrganization(org, role);
}
