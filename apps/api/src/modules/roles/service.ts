import { unknownPermissions } from '@atrium/auth';
import type { CreateRoleRequest, UpdateRoleRequest, User } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { type AuditActor, recordAudit, toRole } from '@atrium/db/queries';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../errors.js';
import { allRoleRows, deleteRoleRow, insertRole, lockRole, updateRoleRow } from './queries.js';

const SYSTEM_ROLE = 'System roles are part of Atrium and cannot be changed or deleted.';

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
    if ((await lockRole(tx, id))?.isSystem) throw new Forbidden(SYSTEM_ROLE);
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

const isUniqueViolation = (error: unknown) =>
  [error, (error as { cause?: unknown }).cause].some(
    (e) => (e as { code?: string } | undefined)?.code === '23505',
  );

/**
 * Renames a role or replaces its description or permissions. A holder of `roles:write` who is not
 * a superuser cannot put a permission they lack into a role (they could hold it then). The change,
 * its announcement (holders' permissions change) and one audit row commit together.
 */
export async function updateRole(
  db: Database,
  authChanged: (tx: Database) => Promise<void>,
  actor: User,
  actorIp: string,
  id: string,
  input: UpdateRoleRequest,
) {
  const lacking = actor.isSuperuser
    ? []
    : (input.permissions ?? []).filter((p) => !actor.permissions.includes(p));
  if (lacking.length) {
    throw new Forbidden(`You cannot grant permissions you do not hold: ${lacking.join(', ')}.`);
  }
  const row = await db
    .transaction(async (tx) => {
      const before = await lockRole(tx, id);
      if (!before) throw new NotFound('role');
      if (before.isSystem) throw new Forbidden(SYSTEM_ROLE);
      const after = await updateRoleRow(tx, id, input);
      await recordAudit(tx, {
        action: 'admin.role.updated',
        targetType: 'role',
        targetId: id,
        actorId: actor.id,
        actorIp,
        data: {
          fields: Object.keys(input).sort(),
          before: { name: before.name, permissions: before.permissions },
          after: { name: after.name, permissions: after.permissions },
        },
      });
      await authChanged(tx);
      return after;
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error))
        throw new Conflict(`A role named "${input.name}" already exists.`);
      throw error;
    });
  return toRole(row);
}
