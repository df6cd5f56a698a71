import { unknownPermissions } from '@atrium/auth';
import type { CreateRoleRequest } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { type AuditActor, recordAudit, toRole } from '@atrium/db/queries';
import { BadRequest, Conflict, NotFound } from '../../errors.js';
import { allRoleRows, deleteRoleRow, insertRole } from './queries.js';

export const listRoles = async (db: Database) => (await allRoleRows(db)).map(toRole);

export async function createRole(db: Database, actor: AuditActor, input: CreateRoleRequest) {
  // The schema already limits permissions to the catalogue; this guards callers that skip it.
  const unknown = unknownPermissions(input.permissions);
  if (unknown.length) throw new BadRequest(`Unknown permissions: ${unknown.join(', ')}.`);
  const row = await db.transaction(async (tx) => {
    const inserted = await insertRole(tx, {
      name: input.name,
      description: input.description ?? '',
      permissions: input.permissions,
    });
    if (!inserted) return undefined;
    await recordAudit(tx, {
      ...actor,
      action: 'admin.role.created',
      targetType: 'role',
      targetId: inserted.id,
      data: { name: inserted.name, permissions: inserted.permissions },
    });
    return inserted;
  });
  if (!row) throw new Conflict(`A role named "${input.name}" already exists.`);
  return toRole(row);
}

/** Deleting a role takes its permissions from every holder: announced in the same transaction. */
export async function deleteRole(
  db: Database,
  authChanged: (tx: Database) => Promise<void>,
  actor: AuditActor,
  id: string,
) {
  const deleted = await db.transaction(async (tx) => {
    const rows = await deleteRoleRow(tx, id);
    if (!rows.length) return undefined;
    await authChanged(tx);
    await recordAudit(tx, {
      ...actor,
      action: 'admin.role.deleted',
      targetType: 'role',
      targetId: id,
      data: { name: rows[0]!.name },
    });
    return rows[0];
  });
  if (!deleted) throw new NotFound('role');
}
