import {
  type Database,
  memberships,
  type OrganizationRow,
  organizations,
  type TenantScope,
  users,
} from '@atrium/db';
import { and, desc, eq, ilike, lt, ne, or, sql } from '@atrium/db/orm';

// What superuser org administration reads and writes. The org list is the one read across
// tenants, and returns counts, never the orgs' data; changes to one org go through its scope.

const memberCount = sql<number>`(select count(*)::int from ${memberships} where ${memberships.orgId} = ${organizations.id})`;
const ownerCount = sql<number>`(select count(*)::int from ${memberships} where ${memberships.orgId} = ${organizations.id} and ${memberships.role} = 'owner')`;

/** Newest first (UUIDv7 ids), `limit + 1` rows after `cursor`, matching `q` in name or slug. */
export function adminOrgRows(db: Database, query: { q?: string; cursor?: string }, limit: number) {
  const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  return db
    .select({ org: organizations, memberCount, ownerCount })
    .from(organizations)
    .where(
      and(
        query.cursor ? lt(organizations.id, query.cursor) : undefined,
        pattern
          ? or(ilike(organizations.name, pattern), ilike(organizations.slug, pattern))
          : undefined,
      ),
    )
    .orderBy(desc(organizations.id))
    .limit(limit + 1);
}

export type AdminOrgRow = { org: OrganizationRow; memberCount: number; ownerCount: number };

export async function adminOrgRow(db: Database, orgId: string): Promise<AdminOrgRow | undefined> {
  const [row] = await db
    .select({ org: organizations, memberCount, ownerCount })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  return row;
}

/** The org's row, locked until the transaction ends (a transfer or a delete is under way). */
export async function lockOrg(tx: Database, orgId: string) {
  const [row] = await tx
    .select()
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .for('update');
  return row;
}

/** Whether the user exists and may sign in; undefined for no such user. */
export async function userIsActive(db: Database, userId: string) {
  const [row] = await db
    .select({ isActive: users.isActive })
    .from(users)
    .where(eq(users.id, userId));
  return row?.isActive;
}

/** The org's owners (ids), locked until the transaction ends. */
export const lockOwnerIds = async (scope: TenantScope) =>
  (
    await scope.select(
      memberships,
      { userId: memberships.userId },
      { where: eq(memberships.role, 'owner'), lock: 'update' },
    )
  ).map((r) => r.userId);

/**
 * Makes `userId` an owner: their membership changes role, or is added as owner. (The scope allows
 * no upsert; the caller holds the org's row lock, so no concurrent insert races this one.)
 */
export async function makeOwner(scope: TenantScope, userId: string) {
  const changed = await scope
    .update(memberships, { role: 'owner' }, eq(memberships.userId, userId))
    .returning({ userId: memberships.userId });
  if (!changed.length) await scope.insert(memberships, { userId, role: 'owner' });
}

/** Every other owner becomes an admin. */
export const demoteOtherOwners = (scope: TenantScope, keep: string) =>
  scope.update(
    memberships,
    { role: 'admin' },
    and(eq(memberships.role, 'owner'), ne(memberships.userId, keep)),
  );

export const deleteOrgRow = (tx: Database, orgId: string) =>
  tx.delete(organizations).where(eq(organizations.id, orgId));
