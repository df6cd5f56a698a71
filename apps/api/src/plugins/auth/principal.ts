import {
  type Database,
  memberships,
  sessions,
  type TenantStatement,
  tenantRow,
  users,
} from '@atrium/db';
import { and, eq, gt, isNotNull, isNull, type SQL, sql } from '@atrium/db/orm';
import { permissionsOf, userColumns } from '@atrium/db/queries';

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
    .select({ user: userColumns, permissions: permissionsOf(users.id) })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(live())
    .prepare('auth_session_principal');
}

/** What a principal read returns: the user row, their permissions, their role in the route's org. */
const principalFields = {
  user: userColumns,
  permissions: permissionsOf(users.id),
  role: memberships.role,
};

/** The caller's membership in the org of the `orgId` placeholder (left-joined: null for none). */
const membershipInOrg = () =>
  and(eq(memberships.orgId, sql.placeholder('orgId')), eq(memberships.userId, users.id));

/**
 * The same check for a route under `/orgs/:orgId`, with the caller's role in that org (null for
 * a non-member) in the same round trip: on a cache miss, authentication and tenancy cost one
 * statement instead of two in a row.
 */
export function preparePrincipalInOrgQuery(db: Database) {
  return db
    .select(principalFields)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(memberships, membershipInOrg())
    .where(live())
    .prepare('auth_session_principal_in_org');
}

/**
 * The check above and the route's row (the tenant statement a route names in `config.row`) in
 * one statement, so a cache miss on a read by id costs one round trip like a hit. The row is
 * joined only for a member (`role is not null`), and reaches the handler only after the role
 * check passed.
 */
export function preparePrincipalWithRowQuery(
  db: Database,
  statement: TenantStatement<Record<string, unknown>, unknown>,
) {
  const { row, columns } = tenantRow(db, statement);
  const fields = Object.fromEntries(columns.map((name) => [name, row[name as keyof typeof row]]));
  return db
    .select({ ...principalFields, row: fields as unknown as Record<string, SQL.Aliased> })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(memberships, membershipInOrg())
    .leftJoinLateral(row, isNotNull(memberships.role))
    .where(live())
    .prepare(`auth_principal_with_${statement.name}`);
}

/**
 * Whether the session's last password/2FA check is within the `window` (seconds): what a route
 * with `config.reauth` asks, and only such a route (one primary-key read).
 */
export function prepareReauthQuery(db: Database) {
  return db
    .select({
      fresh: sql<boolean>`${sessions.authenticatedAt} > now() - make_interval(secs => ${sql.placeholder('window')})`,
    })
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('sid')))
    .prepare('auth_session_reauth');
}
