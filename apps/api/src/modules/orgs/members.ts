import { type AddMemberRequest, type Member, type OrgRole, roleAtLeast } from '@atrium/contracts';
import { memberships, type TenantScope, tenantScope, users } from '@atrium/db';
import { desc, eq, lt, sql } from '@atrium/db/orm';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';

export interface Actor {
  id: string;
  role: OrgRole;
}

const memberColumns = {
  userId: memberships.userId,
  email: users.email,
  username: users.username,
  fullName: users.fullName,
  role: memberships.role,
  createdAt: memberships.createdAt,
};
type MemberRow = Omit<Member, 'createdAt'> & { createdAt: Date };
const toMember = (row: MemberRow): Member => ({ ...row, createdAt: row.createdAt.toISOString() });

/** Only owners may grant, change or remove the owner role. */
function assertMayTouchOwners(actor: Actor, ...roles: OrgRole[]) {
  if (roles.includes('owner') && actor.role !== 'owner') {
    throw new Forbidden('Only owners can grant, change or remove the owner role.');
  }
}

export async function listMembers(scope: TenantScope, query: { limit?: number; cursor?: string }) {
  const limit = query.limit ?? 20;
  const cursor = idCursor(query.cursor);
  const rows = await scope.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(scope.where(memberships, cursor ? lt(memberships.userId, cursor) : undefined))
    .orderBy(desc(memberships.userId))
    .limit(limit + 1);
  return toPage(rows, limit, toMember, (r) => r.userId);
}

export async function getMember(scope: TenantScope, userId: string): Promise<Member> {
  if (!isUuid(userId)) throw new NotFound('member');
  const [row] = await scope.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(scope.where(memberships, eq(memberships.userId, userId)));
  if (!row) throw new NotFound('member');
  return toMember(row);
}

export async function addMember(scope: TenantScope, actor: Actor, input: AddMemberRequest) {
  if ((input.email === undefined) === (input.userId === undefined)) {
    throw new BadRequest('Give exactly one of email and userId.', [
      { path: '/body', message: 'must have exactly one of email, userId' },
    ]);
  }
  assertMayTouchOwners(actor, input.role);
  const [user] = await scope.db
    .select({ id: users.id })
    .from(users)
    .where(
      input.email
        ? eq(sql`lower(${users.email})`, input.email.toLowerCase())
        : eq(users.id, input.userId!),
    );
  if (!user) throw new NotFound('user');
  const added = await scope
    .insert(memberships, { userId: user.id, role: input.role })
    .onConflictDoNothing()
    .returning();
  if (added.length === 0) throw new Conflict('The user is already a member of this organization.');
  return getMember(scope, user.id);
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
  return scope.db.transaction(async (tx) => {
    const scoped = tenantScope(tx, scope.orgId);
    const owners = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(scope.where(memberships, eq(memberships.role, 'owner')))
      .for('update');
    const [target] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(scope.where(memberships, eq(memberships.userId, userId)))
      .for('update');
    if (!target) throw new NotFound('member');
    return change(scoped, target, owners.length);
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
    await tx.update(memberships, { role }, eq(memberships.userId, userId));
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
    await tx.delete(memberships, eq(memberships.userId, userId));
  });
}
