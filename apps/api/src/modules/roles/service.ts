import { unknownPermissions } from '@atrium/auth';
import type { CreateRoleRequest } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { toRole } from '@atrium/db/queries';
import { BadRequest, Conflict, NotFound } from '../../errors.js';
import { allRoleRows, deleteRoleRow, insertRole } from './queries.js';

export const listRoles = async (db: Database) => (await allRoleRows(db)).map(toRole);

export async function createRole(db: Database, input: CreateRoleRequest) {
  // The schema already limits permissions to the catalogue; this guards callers that skip it.
  const unknown = unknownPermissions(input.permissions);
  if (unknown.length) throw new BadRequest(`Unknown permissions: ${unknown.join(', ')}.`);
  const row = await insertRole(db, {
    name: input.name,
    description: input.description ?? '',
    permissions: input.permissions,
  });
  if (!row) throw new Conflict(`A role named "${input.name}" already exists.`);
  return toRole(row);
}

/** Deleting a role takes its permissions from every holder: announced in the same transaction. */
export async function deleteRole(
  db: Database,
  authChanged: (tx: Database) => Promise<void>,
  id: string,
) {
  const deleted = await db.transaction(async (tx) => {
    const rows = await deleteRoleRow(tx, id);
    if (rows.length) await authChanged(tx);
    return rows.length;
  });
  if (!deleted) throw new NotFound('role');
}
