import { generateToken, hashToken } from '@atrium/auth';
import type { CreateInvitationRequest, OrgRole } from '@atrium/contracts';
import { type Database, type TenantScope, tenantScope } from '@atrium/db';
import { type AuditActor, recordOrgAudit } from '@atrium/db/queries';
import { enqueueEmail } from '@atrium/jobs';
import { Forbidden, HttpError, NotFound } from '../../errors.js';
import { acceptInvitationIn } from '../../invitation-acceptance.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import { toInvitation } from './mapping.js';
import {
  insertInvitation,
  inviterName,
  lockOrganization,
  lockRecipient,
  pendingPage,
  type Recent,
  revokePending,
  revokePendingTo,
  sentByOrg,
  sentByOrgTo,
  sentToAddress,
} from './queries.js';

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * An invitation emails an address the inviter chooses, so these keep the endpoint from being a
 * mail relay. They are counted from the invitations table inside the invitation's own transaction,
 * under locks: exact across API instances, and with no Redis. Every invitation counts, revoked or
 * not, because each one sent an email.
 */
export const INVITATION_LIMITS = {
  perOrg: { count: 20, seconds: 3600 },
  /** Across all orgs: a 429 here tells an inviter only that the address had several invitations today. */
  perAddress: { count: 3, seconds: 24 * 3600 },
  /** No re-send from one org to one address sooner than this. */
  resendAfterSeconds: 600,
} as const;

export interface Actor {
  id: string;
  role: OrgRole;
  /** For the audit row each change writes. */
  audit: AuditActor;
}

const rateLimited = (message: string, { leavesIn }: Recent) =>
  new HttpError(429, 'rate_limited', `${message}; try again in ${leavesIn} seconds.`, undefined, {
    'retry-after': String(leavesIn),
  });

async function assertWithinLimits(tx: Database, scope: TenantScope, email: string) {
  const { perOrg, perAddress, resendAfterSeconds } = INVITATION_LIMITS;
  const resent = await sentByOrgTo(scope, email, resendAfterSeconds);
  if (resent.count > 0) {
    throw rateLimited(
      `This address was invited less than ${resendAfterSeconds / 60} minutes ago`,
      resent,
    );
  }
  const toAddress = await sentToAddress(tx, email, perAddress.seconds);
  if (toAddress.count >= perAddress.count) {
    throw rateLimited(
      `This address has had ${perAddress.count} invitations in the last 24 hours`,
      toAddress,
    );
  }
  const byOrg = await sentByOrg(scope, perOrg.seconds);
  if (byOrg.count >= perOrg.count) {
    throw rateLimited(
      `This organization has sent ${perOrg.count} invitations in the last hour`,
      byOrg,
    );
  }
}

/**
 * Creates an invitation and emails its token (through the outbox, in the same transaction). The
 * token is never returned: only the invitee's mailbox holds it. Whether the address has an account
 * is never looked up, so the answer is the same for known and unknown addresses. An older pending
 * invitation to the same address is replaced; the org and address locks make that replacement
 * atomic, so concurrent invitations to one address leave one invitation and 429s, never a 500.
 */
export async function createInvitation(
  db: Database,
  orgId: string,
  actor: Actor,
  input: CreateInvitationRequest,
) {
  if (input.role === 'owner' && actor.role !== 'owner') {
    throw new Forbidden('Only owners can invite owners.');
  }
  const token = generateToken();
  // The transaction, not only a scope: the address limit counts across orgs and the email goes
  // through the outbox; the org's own rows are read and written through the scope.
  return db.transaction(async (tx) => {
    const scoped = tenantScope(tx, orgId);
    const org = await lockOrganization(tx, orgId);
    if (!org) throw new NotFound('organization');
    await lockRecipient(tx, input.email);
    await assertWithinLimits(tx, scoped, input.email);
    await revokePendingTo(scoped, input.email);
    const row = await insertInvitation(scoped, {
      email: input.email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedBy: actor.id,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    await enqueueEmail(
      tx,
      input.email,
      'org-invitation',
      {
        token,
        organizationName: org.name,
        inviterName: await inviterName(tx, actor.id),
        role: input.role,
      },
      { idempotencyKey: `org-invitation:${row.id}` },
    );
    await recordOrgAudit(scoped, {
      ...actor.audit,
      action: 'org.invitation.created',
      targetType: 'invitation',
      targetId: row.id,
      data: { email: input.email, role: input.role },
    });
    return toInvitation(row);
  });
}

export async function listInvitations(
  scope: TenantScope,
  query: { limit?: number; cursor?: string },
) {
  const limit = query.limit ?? 20;
  const rows = await pendingPage(scope, limit, idCursor(query.cursor));
  return toPage(rows, limit, toInvitation, (r) => r.id);
}

export async function revokeInvitation(scope: TenantScope, actor: AuditActor, id: string) {
  if (!isUuid(id)) throw new NotFound('invitation');
  await scope.transaction(async (tx) => {
    const revoked = await revokePending(tx, id);
    if (!revoked) throw new NotFound('invitation');
    await recordOrgAudit(tx, {
      ...actor,
      action: 'org.invitation.revoked',
      targetType: 'invitation',
      targetId: id,
      data: { email: revoked.email, role: revoked.role },
    });
  });
}

/** Accepts an invitation for the signed-in user (the rules are in invitation-acceptance.ts). */
export async function acceptInvitation(
  db: Database,
  user: { id: string; email: string },
  actor: AuditActor,
  token: string,
) {
  return db.transaction((tx) => acceptInvitationIn(tx, user, actor, token));
}
