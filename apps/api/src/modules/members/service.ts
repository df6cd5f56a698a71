import { type Member, type OrgRole, roleAtLeast } from '@atrium/contracts';
import { type Database, type TenantScope, tenantScope } from '@atrium/db';
import { type AuditActor, recordOrgAudit } from '@atrium/db/queries';
import { Conflict, Forbidden, NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import {
  deleteMember,
  insertMember,
  lockMember,
  lockOwners,
  type MemberRow,
  memberById,
  memberPage,
  organizationExists,
  setRole,
  userExists,
} from './queries.js';

export interface Actor {
  id: string;
  role: OrgRole;
  /** For the audit row each change writes. */
  audit: AuditActor;
}

const toMember = (row: MemberRow): Member => ({ ...row, createdAt: row.createdAt.toISOString() });

/** Only owners may grant, change or remove the owner role. */
function assertMayTouchOwners(actor: Actor, ...roles: OrgRole[]) {
  if (roles.includes('owner') && actor.role !== 'owner') {
    throw new Forbidden('Only owners can grant, change or remove the owner role.');
  }
}

export async function listMembers(scope: TenantScope, query: { limit?: number; cursor?: string }) {
  const limit = query.limit ?? 20;
  const rows = await memberPage(scope, limit, idCursor(query.cursor));
  return toPage(rows, limit, toMember, (r) => r.userId);
}

export async function getMember(scope: TenantScope, userId: string): Promise<Member> {
  const row = isUuid(userId) ? await memberById(scope, userId) : undefined;
  if (!row) throw new NotFound('member');
  return toMember(row);
}

/**
 * A superuser's direct grant of membership, with no invitation: the one exception SPEC §4.3
 * allows to "nobody joins without consent", for operators (e.g. giving an org whose owners'
 * accounts are gone a new owner). Audited as `org.member.added` with `via: superuser`.
 */
export async function grantMembership(
  db: Database,
  actor: AuditActor,
  orgId: string,
  userId: string,
  role: OrgRole,
) {
  if (!isUuid(orgId) || !(await organizationExists(db, orgId))) throw new NotFound('organization');
  if (!(await userExists(db, userId))) throw new NotFound('user');
  const scope = tenantScope(db, orgId);
  await scope.transaction(async (tx) => {
    if (!(await insertMember(tx, userId, role))) {
      throw new Conflict('The user is already a member of this organization.');
    }
    await recordOrgAudit(tx, {
      ...actor,
      action: 'org.member.added',
      targetType: 'membership',
      targetId: userId,
      data: { role, via: 'superuser' },
    });
  });
  return getMember(scope, userId);
}

/**
 * Runs `change` with the org's owner memberships locked, so two concurrent demotions cannot
 * both see "another owner remains" and leave the org with none.
 */
async function withOwnersLocked<T>(
  scope: TenantScope,
  userId: string,
  change: (tx: TenantScope, target: { role: OrgRole }, owners: number) => Promise<T>,
): Promise<T> {
  if (!isUuid(userId)) throw new NotFound('member');
  return scope.transaction(async (tx) => {
    const owners = await lockOwners(tx);
    const target = await lockMember(tx, userId);
    if (!target) throw new NotFound('member');
    return change(tx, target, owners.length);
  });
}

const LAST_OWNER = 'An organization must keep at least one owner; make someone else owner first.';

export async function changeMemberRole(
  scope: TenantScope,
  actor: Actor,
  userId: string,
  role: OrgRole,
) {
  await withOwnersLocked(scope, userId, async (tx, target, owners) => {
    assertMayTouchOwners(actor, target.role, role);
    if (target.role === 'owner' && role !== 'owner' && owners === 1) throw new Conflict(LAST_OWNER);
    await setRole(tx, userId, role);
    await recordOrgAudit(tx, {
      ...actor.audit,
      action: 'org.member.role.changed',
      targetType: 'membership',
      targetId: userId,
      data: { from: target.role, to: role },
    });
  });
  return getMember(scope, userId);
}

/** Admins remove members; anyone may remove themselves (leave). */
export async function removeMember(scope: TenantScope, actor: Actor, userId: string) {
  if (userId !== actor.id && !roleAtLeast(actor.role, 'admin')) {
    throw new Forbidden('Only admins can remove other members; you may remove yourself.');
  }
  await withOwnersLocked(scope, userId, async (tx, target, owners) => {
    if (userId !== actor.id) assertMayTouchOwners(actor, target.role);
    if (target.role === 'owner' && owners === 1) throw new Conflict(LAST_OWNER);
    await deleteMember(tx, userId);
    await recordOrgAudit(tx, {
      ...actor.audit,
      action: 'org.member.removed',
      targetType: 'membership',
      targetId: userId,
      data: { role: target.role, left: userId === actor.id },
    });
  });
}
