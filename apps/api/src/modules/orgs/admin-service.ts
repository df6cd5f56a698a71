import type { AdminOrganization, AdminOrgListQuery, User } from '@atrium/contracts';
import { type Database, tenantScope } from '@atrium/db';
import { recordAudit } from '@atrium/db/queries';
import { Conflict, NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import {
  type AdminOrgRow,
  adminOrgRow,
  adminOrgRows,
  deleteOrgRow,
  demoteOtherOwners,
  lockOrg,
  lockOwnerIds,
  makeOwner,
  userIsActive,
} from './queries.js';

// Superuser org administration (GET /admin/orgs, transfer, delete): explicit endpoints of their
// own, each change audited in its transaction. Superusers get no access to an org's data here;
// its routes still answer 404 to a superuser who is not a member.

/** What an admin change needs of the app: announcing that memberships changed. */
export interface AdminContext {
  db: Database;
  authChanged(tx: Database): Promise<void>;
}

/** The superuser acting, and from where (for the audit row). */
export interface AdminActor {
  user: User;
  ip: string;
}

const toAdminOrganization = ({ org, memberCount, ownerCount }: AdminOrgRow): AdminOrganization => ({
  id: org.id,
  name: org.name,
  slug: org.slug,
  memberCount,
  ownerCount,
  createdAt: org.createdAt.toISOString(),
  updatedAt: org.updatedAt.toISOString(),
});

export async function listAllOrganizations(db: Database, query: AdminOrgListQuery) {
  const limit = query.limit ?? 20;
  const rows = await adminOrgRows(db, { q: query.q, cursor: idCursor(query.cursor) }, limit);
  return toPage(rows, limit, toAdminOrganization, (r) => r.org.id);
}

/**
 * Makes `userId` the org's owner (adding them when they are not a member) and every other owner
 * an admin; the owner rows are locked, so a concurrent member change cannot interleave.
 */
export async function transferOwnership(
  { db, authChanged }: AdminContext,
  actor: AdminActor,
  orgId: string,
  userId: string,
) {
  if (!isUuid(orgId)) throw new NotFound('organization');
  await db.transaction(async (tx) => {
    if (!(await lockOrg(tx, orgId))) throw new NotFound('organization');
    const active = await userIsActive(tx, userId);
    if (active === undefined) throw new NotFound('user');
    // An org whose only owner cannot sign in is an org nobody owns.
    if (!active) throw new Conflict('This account is disabled; enable it before making it owner.');
    const scope = tenantScope(tx, orgId);
    const previousOwners = await lockOwnerIds(scope);
    await makeOwner(scope, userId);
    await demoteOtherOwners(scope, userId);
    await recordAudit(tx, {
      action: 'admin.org.ownership.transferred',
      targetType: 'org',
      targetId: orgId,
      orgId,
      actorId: actor.user.id,
      actorIp: actor.ip,
      data: { to: userId, previousOwners },
    });
    await authChanged(tx);
  });
  return toAdminOrganization((await adminOrgRow(db, orgId))!);
}

/** Deletes the org and, by cascade, its memberships, invitations and data. */
export async function deleteOrganizationAsAdmin(
  { db, authChanged }: AdminContext,
  actor: AdminActor,
  orgId: string,
) {
  if (!isUuid(orgId)) throw new NotFound('organization');
  await db.transaction(async (tx) => {
    const org = await lockOrg(tx, orgId);
    if (!org) throw new NotFound('organization');
    const counts = await adminOrgRow(tx, orgId);
    await recordAudit(tx, {
      action: 'admin.org.deleted',
      targetType: 'org',
      targetId: orgId,
      orgId,
      actorId: actor.user.id,
      actorIp: actor.ip,
      data: { name: org.name, slug: org.slug, memberCount: counts?.memberCount ?? 0 },
    });
    await deleteOrgRow(tx, orgId);
    await authChanged(tx);
  });
}
