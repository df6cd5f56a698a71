import type { Role } from '@atrium/contracts';
import { type Database, type RoleRow, roles, userRoles } from '@atrium/db';
import { asc, eq, inArray } from '@atrium/db/orm';
import { BadRequest } from '../../errors.js';

export const toRole = (row: RoleRow): Role => ({
  id: row.id,
  name: row.name,
  description: row.description,
  permissions: row.permissions as Role['permissions'],
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

export async function setRolesOf(tx: Database, userId: string, roleIds: string[]) {
  if (roleIds.length) {
    const found = await tx.select({ id: roles.id }).from(roles).where(inArray(roles.id, roleIds));
    const missing = roleIds.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) {
      throw new BadRequest(
        `No role has the id ${missing.join(', ')}.`,
        missing.map(() => ({ path: '/body/roleIds', message: 'names an unknown role' })),
      );
    }
  }
  await tx.delete(userRoles).where(eq(userRoles.userId, userId));
  if (roleIds.length)
    await tx.insert(userRoles).values(roleIds.map((roleId) => ({ userId, roleId })));
}
