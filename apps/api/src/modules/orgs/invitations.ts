import { generateToken, hashToken } from '@atrium/auth';
import type { CreateInvitationRequest, Invitation } from '@atrium/contracts';
import {
  type Database,
  type InvitationRow,
  invitations,
  memberships,
  organizations,
  type TenantScope,
  tenantScope,
  users,
} from '@atrium/db';
import { and, desc, eq, gt, isNull, lt, sql } from '@atrium/db/orm';
import { enqueue } from '@atrium/jobs';
import { Conflict, Forbidden, NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import type { Actor } from './members.js';
import { getOrganization } from './service.js';

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

const toInvitation = (row: InvitationRow): Invitation => ({
  id: row.id,
  orgId: row.orgId,
  email: row.email,
  role: row.role,
  invitedBy: row.invitedBy,
  expiresAt: row.expiresAt.toISOString(),
  createdAt: row.createdAt.toISOString(),
});

const pending = () =>
  and(
    isNull(invitations.acceptedAt),
    isNull(invitations.revokedAt),
    gt(invitations.expiresAt, sql`now()`),
  );

/**
 * Creates an invitation and emails its token (through the outbox, in the same transaction). The
 * token is never returned: only the invitee's mailbox holds it. A pending invitation to the same
 * address is replaced.
 */
export async function createInvitation(
  scope: TenantScope,
  actor: Actor,
  input: CreateInvitationRequest,
) {
  if (input.role === 'owner' && actor.role !== 'owner') {
    throw new Forbidden('Only owners can invite owners.');
  }
  const token = generateToken();
  return scope.db.transaction(async (tx) => {
    const scoped = tenantScope(tx, scope.orgId);
    const [org] = await tx
      .select({ name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, scope.orgId));
    const [inviter] = await tx
      .select({ email: users.email, fullName: users.fullName })
      .from(users)
      .where(eq(users.id, actor.id));
    await scoped.update(
      invitations,
      { revokedAt: sql`now()` },
      and(
        eq(sql`lower(${invitations.email})`, input.email.toLowerCase()),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
    const [row] = await scoped
      .insert(invitations, {
        email: input.email,
        role: input.role,
        tokenHash: hashToken(token),
        invitedBy: actor.id,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning();
    await enqueue(
      tx,
      'email',
      {
        to: input.email,
        template: 'org-invitation',
        data: {
          token,
          link: `/invitations/accept#token=${token}`,
          organizationName: org!.name,
          inviterName: inviter?.fullName ?? inviter?.email ?? 'A member',
          role: input.role,
        },
      },
      { idempotencyKey: `org-invitation:${row!.id}` },
    );
    return toInvitation(row!);
  });
}

export async function listInvitations(
  scope: TenantScope,
  query: { limit?: number; cursor?: string },
) {
  const limit = query.limit ?? 20;
  const cursor = idCursor(query.cursor);
  const rows = await scope
    .select(invitations, and(pending(), cursor ? lt(invitations.id, cursor) : undefined))
    .orderBy(desc(invitations.id))
    .limit(limit + 1);
  return toPage(rows as InvitationRow[], limit, toInvitation, (r) => r.id);
}

export async function revokeInvitation(scope: TenantScope, id: string) {
  if (!isUuid(id)) throw new NotFound('invitation');
  const revoked = await scope
    .update(invitations, { revokedAt: sql`now()` }, and(eq(invitations.id, id), pending()))
    .returning({ id: invitations.id });
  if (revoked.length === 0) throw new NotFound('invitation');
}

/**
 * Accepts an invitation for the signed-in user, whose email must be the invited one. The
 * invitation is consumed in the same transaction that adds the membership.
 */
export async function acceptInvitation(
  db: Database,
  user: { id: string; email: string },
  token: string,
) {
  return db.transaction(async (tx) => {
    const [invitation] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.tokenHash, hashToken(token)), pending()))
      .for('update');
    if (!invitation) throw new NotFound('invitation');
    if (invitation.email.toLowerCase() !== user.email.toLowerCase()) {
      throw new Forbidden('This invitation was sent to another email address.');
    }
    const added = await tx
      .insert(memberships)
      .values({ orgId: invitation.orgId, userId: user.id, role: invitation.role })
      .onConflictDoNothing()
      .returning();
    if (added.length === 0) throw new Conflict('You are already a member of this organization.');
    await tx
      .update(invitations)
      .set({ acceptedAt: sql`now()` })
      .where(eq(invitations.id, invitation.id));
    return getOrganization(tx, invitation.orgId, invitation.role);
  });
}
