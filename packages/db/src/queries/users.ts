import { Permissions, type User } from '@atrium/contracts';
import { and, eq, getTableColumns, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { roles, type UserRow, userRoles, users } from '../schema/index.js';

const ALL = [...Permissions];

const { passwordHash: _hash, ...withoutHash } = getTableColumns(users);
/**
 * The columns of `users` that `toUser` reads: all but the password hash, which only sign-in and
 * password changes read (by naming it). Principal and list queries select these.
 */
export const userColumns = withoutHash;
export type PublicUserRow = Omit<UserRow, 'passwordHash'>;

/**
 * A user's roles' permissions, one subquery (no N+1), as stored: a permission two roles grant
 * appears twice. `toUser` makes them a set; in SQL, `array_agg(distinct p order by p)` sets up a
 * sort on every execution, which cost a third of the principal query's time (pgbench).
 */
export const permissionsOf = (userId: unknown) => sql<string[]>`coalesce((
  select array_agg(p) from ${userRoles}
  join ${roles} on ${roles.id} = ${userRoles.roleId}
  cross join unnest(${roles.permissions}) as p
  where ${userRoles.userId} = ${userId}), '{}'::text[])`;

/** Sorted, each once. */
const permissionSet = (permissions: readonly string[]) =>
  permissions.length < 2 ? permissions : [...new Set(permissions)].sort();

/** The public view of a user row: never the hash. Superusers hold every permission. */
export function toUser(row: PublicUserRow, permissions: readonly string[]): User {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    fullName: row.fullName,
    bio: row.bio,
    phoneNumber: row.phoneNumber,
    isSuperuser: row.isSuperuser,
    isActive: row.isActive,
    emailVerified: row.emailVerifiedAt !== null,
    passwordResetRequired: row.passwordResetRequired,
    mfaEnabled: row.mfaEnabledAt !== null,
    permissions: (row.isSuperuser ? ALL : permissionSet(permissions)) as User['permissions'],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function findUserWhere(db: Database, where: SQL | undefined): Promise<User | undefined> {
  const [row] = await db
    .select({ user: userColumns, permissions: permissionsOf(users.id) })
    .from(users)
    .where(where);
  return row ? toUser(row.user, row.permissions) : undefined;
}

export const findUser = (db: Database, id: string) => findUserWhere(db, eq(users.id, id));

export const findActiveUser = (db: Database, id: string) =>
  findUserWhere(db, and(eq(users.id, id), eq(users.isActive, true)));

/** Which of `email` and `username` another account already has (case-insensitively), if any. */
export async function takenAccountField(
  db: Database,
  email: string | undefined,
  username: string | undefined,
  exceptId?: string,
): Promise<'email' | 'username' | undefined> {
  const [taken] = await db
    .select({ email: users.email })
    .from(users)
    .where(
      and(
        or(
          email ? eq(sql`lower(${users.email})`, email.toLowerCase()) : undefined,
          username ? eq(sql`lower(${users.username})`, username.toLowerCase()) : undefined,
        ),
        exceptId ? ne(users.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (!taken) return undefined;
  return email && taken.email.toLowerCase() === email.toLowerCase() ? 'email' : 'username';
}

export interface NewUserRow {
  email: string;
  passwordHash: string;
  username?: string | undefined;
  fullName?: string | undefined;
  isSuperuser?: boolean | undefined;
}

/** Inserts an account; undefined when a concurrent one took the email or username first. */
export async function insertUser(db: Database, values: NewUserRow): Promise<User | undefined> {
  const [row] = await db
    .insert(users)
    .values({
      email: values.email,
      username: values.username ?? null,
      fullName: values.fullName ?? null,
      isSuperuser: values.isSuperuser ?? false,
      passwordHash: values.passwordHash,
    })
    .onConflictDoNothing()
    .returning();
  return row ? toUser(row, []) : undefined;
}

/**
 * Whether `userId` is the only active superuser. Locks the superuser rows, so inside the changing
 * transaction two concurrent demotions cannot both see another superuser left.
 */
export async function isLastActiveSuperuser(tx: Database, userId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)))
    .for('update');
  return rows.length === 1 && rows[0]!.id === userId;
}
