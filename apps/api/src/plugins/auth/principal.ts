import { type Database, sessions, users } from '@atrium/db';
import { and, eq, gt, isNull, sql } from '@atrium/db/orm';
import { permissionsOf } from '@atrium/db/queries';

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
