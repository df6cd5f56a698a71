import { type Database, memberships, sessions, users } from '@atrium/db';
import { and, eq, gt, isNull, sql } from '@atrium/db/orm';
import { permissionsOf } from '@atrium/db/queries';

/** The session is live and not expired, and its user active: what every token must still have. */
const live = () =>
  and(
    eq(sessions.id, sql.placeholder('sid')),
    eq(sessions.userId, sql.placeholder('sub')),
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, sql`now()`),
    eq(users.isActive, true),
  );

/**
 * The check every authenticated request makes: session live, not expired, user active — one
 * indexed lookup (sessions by primary key, users by primary key), prepared once per database.
 */
export function preparePrincipalQuery(db: Database) {
  return db
    .select({ user: users, permissions: permissionsOf(users.id) })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(live())
    .prepare('auth_session_principal');
}

/**
 * The same check for a route under `/orgs/:orgId`, with the caller's role in that org (null for
 * a non-member) in the same round trip: on a cache miss, authentication and tenancy cost one
 * statement instead of two in a row.
 */
export function preparePrincipalInOrgQuery(db: Database) {
  return db
    .select({ user: users, permissions: permissionsOf(users.id), role: memberships.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(
      memberships,
      and(eq(memberships.orgId, sql.placeholder('orgId')), eq(memberships.userId, users.id)),
    )
    .where(live())
    .prepare('auth_session_principal_in_org');
}
