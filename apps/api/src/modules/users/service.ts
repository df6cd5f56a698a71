import type {
  CreateUserRequest,
  Role,
  UpdateUserRequest,
  User,
  UserListQuery,
} from '@atrium/contracts';
import type { Database } from '@atrium/db';
import {
  type AuditActor,
  type AuditEvent,
  isLastActiveSuperuser,
  recordAudit,
  replaceRolesOf,
  revokeSessions,
  rolesOf,
  sessionsOf,
  toUser,
  unknownRoleIds,
} from '@atrium/db/queries';
import { assertAvailable, getUser, insertAccount, prepareAccount } from '../../accounts.js';
import { BadRequest, Conflict, Forbidden } from '../../errors.js';
import { idCursor, toPage } from '../../pagination.js';
import {
  deleteUserRow,
  listUserRows,
  setActive,
  setSuperuser,
  type UserChanges,
  updateUserRow,
} from './queries.js';

/** What user administration needs of the app: announcing a change of who may do what. */
export interface UsersContext {
  db: Database;
  authChanged(tx: Database): Promise<void>;
}

/** Who acts: the user (for the rules) and the request (for the audit row). */
export interface Admin {
  user: User;
  audit: AuditActor;
}

/** Every change here writes one audit row, in its own transaction. */
const audited = (tx: Database, admin: Admin, event: Omit<AuditEvent, 'targetType'>) =>
  recordAudit(tx, { ...admin.audit, targetType: 'user', ...event });

export async function listUsers(db: Database, query: UserListQuery) {
  const limit = query.limit ?? 20;
  const rows = await listUserRows(db, { ...query, cursor: idCursor(query.cursor) }, limit);
  return toPage(
    rows,
    limit,
    (r) => toUser(r.user, r.permissions),
    (r) => r.user.id,
  );
}

/** Only superusers may change superusers: a `users:write` holder cannot lock one out. */
async function target(db: Database, actor: User, id: string) {
  const user = await getUser(db, id);
  if (user.isSuperuser && !actor.isSuperuser) throw new Forbidden();
  return user;
}

/** Refuses to leave the system without an active superuser (inside the changing transaction). */
async function assertNotLastSuperuser(tx: Database, userId: string) {
  if (await isLastActiveSuperuser(tx, userId)) {
    throw new Conflict('This is the last active superuser; promote another user first.');
  }
}

export async function createUser(db: Database, admin: Admin, input: CreateUserRequest) {
  if (input.isSuperuser && !admin.user.isSuperuser) throw new Forbidden();
  const account = await prepareAccount(db, input);
  return db.transaction(async (tx) => {
    const user = await insertAccount(tx, account);
    await audited(tx, admin, {
      action: 'admin.user.created',
      targetId: user.id,
      data: { email: user.email, isSuperuser: user.isSuperuser },
    });
    return user;
  });
}

export async function deleteUser({ db, authChanged }: UsersContext, admin: Admin, id: string) {
  const user = await target(db, admin.user, id);
  await db.transaction(async (tx) => {
    await assertNotLastSuperuser(tx, id);
    await deleteUserRow(tx, id);
    await authChanged(tx);
    await audited(tx, admin, {
      action: 'admin.user.deleted',
      targetId: id,
      data: { email: user.email },
    });
  });
}

/** Disabling also ends every session of the user, in the same transaction. */
export async function setUserActive(
  { db, authChanged }: UsersContext,
  admin: Admin,
  id: string,
  isActive: boolean,
) {
  await target(db, admin.user, id);
  await db.transaction(async (tx) => {
    if (!isActive) {
      await assertNotLastSuperuser(tx, id);
      await revokeSessions(tx, sessionsOf(id));
    }
    await setActive(tx, id, isActive);
    await authChanged(tx);
    await audited(tx, admin, { action: 'admin.user.updated', targetId: id, data: { isActive } });
  });
  return getUser(db, id);
}

export async function setUserSuperuser(
  { db, authChanged }: UsersContext,
  admin: Admin,
  id: string,
  isSuperuser: boolean,
) {
  await getUser(db, id);
  await db.transaction(async (tx) => {
    if (!isSuperuser) await assertNotLastSuperuser(tx, id);
    await setSuperuser(tx, id, isSuperuser);
    await authChanged(tx);
    await audited(tx, admin, {
      action: 'admin.user.superuser.changed',
      targetId: id,
      data: { isSuperuser },
    });
  });
  return getUser(db, id);
}

const isUniqueViolation = (error: unknown) =>
  [error, (error as { cause?: unknown }).cause].some(
    (e) => (e as { code?: string } | undefined)?.code === '23505',
  );

/**
 * An administrator's edit. Disabling an account or demanding a new password ends its sessions;
 * the change, the session ends and one audit row (the changed fields, never a secret) commit
 * together.
 */
export async function updateUser(
  { db, authChanged }: UsersContext,
  actor: User,
  actorIp: string,
  id: string,
  input: UpdateUserRequest,
) {
  const before = await target(db, actor, id);
  if (input.email !== undefined || input.username) {
    await assertAvailable(db, input.email, input.username ?? undefined, id);
  }
  const changes: UserChanges = {
    username: input.username,
    fullName: input.fullName,
    bio: input.bio,
    phoneNumber: input.phoneNumber,
    email: input.email === undefined || input.email === before.email ? undefined : input.email,
    isActive: input.isActive,
    passwordResetRequired: input.passwordResetRequired,
  };
  const fields = Object.keys(input).sort();
  await db
    .transaction(async (tx) => {
      if (input.isActive === false) await assertNotLastSuperuser(tx, id);
      if (input.isActive === false || input.passwordResetRequired === true) {
        await revokeSessions(tx, sessionsOf(id));
      }
      await updateUserRow(tx, id, changes);
      await recordAudit(tx, {
        action: 'admin.user.updated',
        targetType: 'user',
        targetId: id,
        actorId: actor.id,
        actorIp,
        data: {
          fields,
          ...(changes.email ? { email: { from: before.email, to: changes.email } } : {}),
          ...(input.isActive === undefined ? {} : { isActive: input.isActive }),
          ...(input.passwordResetRequired === undefined
            ? {}
            : { passwordResetRequired: input.passwordResetRequired }),
        },
      });
      await authChanged(tx);
    })
    .catch((error: unknown) => {
      // A concurrent change took the email or username between the check and this write.
      if (isUniqueViolation(error)) {
        throw new Conflict('An account with this email or username already exists.');
      }
      throw error;
    });
  return getUser(db, id);
}

export async function userRoles(db: Database, id: string): Promise<Role[]> {
  await getUser(db, id);
  return rolesOf(db, id);
}

export async function setUserRoles(
  { db, authChanged }: UsersContext,
  admin: Admin,
  id: string,
  roleIds: string[],
) {
  await target(db, admin.user, id);
  const unknown = await unknownRoleIds(db, roleIds);
  if (unknown.length) {
    throw new BadRequest(
      `No role has the id ${unknown.join(', ')}.`,
      unknown.map(() => ({ path: '/body/roleIds', message: 'names an unknown role' })),
    );
  }
  await db.transaction(async (tx) => {
    await replaceRolesOf(tx, id, roleIds);
    await authChanged(tx);
    await audited(tx, admin, {
      action: 'admin.user.roles.changed',
      targetId: id,
      data: { roleIds },
    });
  });
  return rolesOf(db, id);
}
