import type { Member, OrgRole } from '@atrium/contracts';
import { type Database, memberships, organizations, type TenantScope, users } from '@atrium/db';
import { desc, eq, lt } from '@atrium/db/orm';

const memberColumns = {
  userId: memberships.userId,
  email: users.email,
  username: users.username,
  fullName: users.fullName,
  role: memberships.role,
  createdAt: memberships.createdAt,
};
export type MemberRow = Omit<Member, 'createdAt'> & { createdAt: Date };

export function memberPage(scope: TenantScope, limit: number, cursor?: string) {
  return scope.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(scope.where(memberships, cursor ? lt(memberships.userId, cursor) : undefined))
    .orderBy(desc(memberships.userId))
    .limit(limit + 1);
}

export async function memberById(scope: TenantScope, userId: string) {
  const [row] = await scope.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(scope.where(memberships, eq(memberships.userId, userId)));
  return row;
}

/** The org's owners, locked until the transaction ends. */
export function lockOwners(scope: TenantScope) {
  return scope.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(scope.where(memberships, eq(memberships.role, 'owner')))
    .for('update');
}

/** One member's role, locked until the transaction ends. */
export async function lockMember(scope: TenantScope, userId: string) {
  const [row] = await scope.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(scope.where(memberships, eq(memberships.userId, userId)))
    .for('update');
  return row;
}

export const setRole = (scope: TenantScope, userId: string, role: OrgRole) =>
  scope.update(memberships, { role }, eq(memberships.userId, userId));

export const deleteMember = (scope: TenantScope, userId: string) =>
  scope.delete(memberships, eq(memberships.userId, userId));

/** Adds the membership unless the user already has one; true when added. */
export async function insertMember(scope: TenantScope, userId: string, role: OrgRole) {
  const added = await scope
    .insert(memberships, { userId, role })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  return added.length > 0;
}

export async function organizationExists(db: Database, orgId: string) {
  const [row] = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  return row !== undefined;
}

export async function userExists(db: Database, userId: string) {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  return row !== undefined;
}
