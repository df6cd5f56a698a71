import type { Permission, UpdateRoleRequest } from '@atrium/contracts';
import { type Database, roles } from '@atrium/db';
import { asc, eq } from '@atrium/db/orm';

export const allRoleRows = (db: Database) => db.select().from(roles).orderBy(asc(roles.name));

/** The new role's row; undefined when the name is taken. */
export async function insertRole(
  db: Database,
  values: { name: string; description: string; permissions: Permission[] },
) {
  const [row] = await db
    .insert(roles)
    .values({
      name: values.name,
      description: values.description,
      permissions: values.permissions,
    })
    .onConflictDoNothing()
    .returning();
  return row;
}

export const deleteRoleRow = (tx: Database, id: string) =>
  tx.delete(roles).where(eq(roles.id, id)).returning({ id: roles.id, name: roles.name });

/** The role's row, locked until the transaction ends (an edit reads then writes it). */
export async function lockRole(tx: Database, id: string) {
  const [row] = await tx.select().from(roles).where(eq(roles.id, id)).for('update');
  return row;
}

export async function updateRoleRow(tx: Database, id: string, changes: UpdateRoleRequest) {
  const [row] = await tx
    .update(roles)
    .set({
      name: changes.name,
      description: changes.description,
      permissions: changes.permissions,
    })
    .where(eq(roles.id, id))
    .returning();
  return row!;
}
