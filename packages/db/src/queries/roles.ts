import type { Role } from '@atrium/contracts';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../client.js';
import { type RoleRow, roles, userRoles } from '../schema/index.js';

export const toRole = (row: RoleRow): Role => ({
  id: row.id,
  name: row.name,
  description: row.description,
  permissions: row.permissions as Role['permissions'],
  isSystem: row.isSystem,
  createdAt: row.createdAt.toISOString(),
});

export async function rolesOf(db: Database, userId: string): Promise<Role[]> {
  const rows = await db
    .select({ role: roles })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(eq(userRoles.userId, userId))
    .orderBy(asc(roles.name));
  return rows.map((r) => toRole(r.role));
}

/** The ids among `roleIds` that name no role. */
export async function unknownRoleIds(db: Database, roleIds: string[]): Promise<string[]> {
  if (!roleIds.length) return [];
  const found = await db.select({ id: roles.id }).from(roles).where(inArray(roles.id, roleIds));
  return roleIds.filter((id) => !found.some((f) => f.id === id));
}

/** Replaces a user's roles; run it in the transaction that also announces the change. */
export async function replaceRolesOf(tx: Database, userId: string, roleIds: string[]) {
  await tx.delete(userRoles).where(eq(userRoles.userId, userId));
  if (roleIds.length)
    await tx.insert(userRoles).values(roleIds.map((roleId) => ({ userId, roleId })));
}
