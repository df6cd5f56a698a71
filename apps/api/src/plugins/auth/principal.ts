import type { User } from '@atrium/contracts';
import { type Database, roles, sessions, type UserRow, userRoles, users } from '@atrium/db';
import { and, eq, gt, isNull, sql } from '@atrium/db/orm';

/** Effective permissions of a user: the union of their roles'. One subquery, no N+1. */
export const permissionsOf = (userId: unknown) => sql<string[]>`coalesce((
  select array_agg(distinct p order by p) from ${userRoles}
  join ${roles} on ${roles.id} = ${userRoles.roleId}
  cross join unnest(${roles.permissions}) as p
  where ${userRoles.userId} = ${userId}), '{}'::text[])`;

/** The public view of a user row: never the hash. */
export function toUser(row: UserRow, permissions: readonly string[]): User {
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
    permissions: (row.isSuperuser ? ALL : permissions) as User['permissions'],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

import { Permissions } from '@atrium/contracts';

const ALL = [...Permissions];

/**
 * The check every authenticated request makes: session live, not expired, user active — one
 * indexed lookup (sessions by primary key, users by primary key), prepared once per database.
 */
export function preparePrincipalQuery(db: Database) {
  return db
    .select({ user: users, permissions: permissionsOf(users.id) })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, sql.placeholder('sid')),
        eq(sessions.userId, sql.placeholder('sub')),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
        eq(users.isActive, true),
      ),
    )
    .prepare('auth_session_principal');
}

export async function activeUser(db: Database, userId: string): Promise<User | undefined> {
  const [row] = await db
    .select({ user: users, permissions: permissionsOf(users.id) })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.isActive, true)));
  return row ? toUser(row.user, row.permissions) : undefined;
}
