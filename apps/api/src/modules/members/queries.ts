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

/** Each membership with its user: users are not a tenant table, the join reaches this org's members. */
const withUser = { table: users, on: eq(users.id, memberships.userId) };

export const memberPage = (scope: TenantScope, limit: number, cursor?: string) =>
  scope.select(memberships, memberColumns, {
    join: [withUser],
    where: cursor ? lt(memberships.userId, cursor) : undefined,
    orderBy: [desc(memberships.userId)],
    limit: limit + 1,
  });

export async function memberById(scope: TenantScope, userId: string) {
  const [row] = await scope.select(memberships, memberColumns, {
    join: [withUser],
    where: eq(memberships.userId, userId),
  });
  return row;
}

/** The org's owners, locked until the transaction ends. */
export const lockOwners = (scope: TenantScope) =>
  scope.select(
    memberships,
    { userId: memberships.userId },
    { where: eq(memberships.role, 'owner'), lock: 'update' },
  );

/** One member's role, locked until the transaction ends. */
export async function lockMember(scope: TenantScope, userId: string) {
  const [row] = await scope.select(
    memberships,
    { role: memberships.role },
    { where: eq(memberships.userId, userId), lock: 'update' },
  );
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
