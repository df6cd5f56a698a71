import type { CreateOrgRequest, OrgRole, UpdateOrgRequest } from '@atrium/contracts';
import { type Database, isUniqueViolation, memberships, organizations } from '@atrium/db';
import { and, desc, eq, lt, sql } from '@atrium/db/orm';
import { type AuditActor, recordAudit, toOrganization } from '@atrium/db/queries';
import { Conflict, NotFound } from '../../errors.js';
import { idCursor, toPage } from '../../pagination.js';
import { slugCandidates, slugify } from './slug.js';

/** Creates the org with the creator as its owner. A generated slug skips taken ones; a given one must be free. */
export async function createOrganization(
  db: Database,
  actor: AuditActor & { actorId: string },
  input: CreateOrgRequest,
) {
  const userId = actor.actorId;
  const candidates = input.slug ? [input.slug] : slugCandidates(slugify(input.name));
  for (const slug of candidates) {
    const created = await db.transaction(async (tx) => {
      const [org] = await tx
        .insert(organizations)
        .values({ name: input.name, slug })
        .onConflictDoNothing({ target: organizations.slug })
        .returning();
      if (!org) return undefined;
      await tx.insert(memberships).values({ orgId: org.id, userId, role: 'owner' });
      await recordAudit(tx, {
        ...actor,
        action: 'org.created',
        targetType: 'org',
        targetId: org.id,
        orgId: org.id,
        data: { name: org.name, slug: org.slug, ownerId: userId },
      });
      return org;
    });
    if (created) return toOrganization(created, 'owner');
    if (input.slug) throw new Conflict(`The slug "${input.slug}" is taken.`);
  }
  throw new Conflict('No free slug could be found for this name.');
}

export async function listMyOrganizations(
  db: Database,
  userId: string,
  query: { limit?: number; cursor?: string },
) {
  const limit = query.limit ?? 20;
  const cursor = idCursor(query.cursor);
  const rows = await db
    .select({ org: organizations, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), cursor ? lt(organizations.id, cursor) : undefined))
    .orderBy(desc(organizations.id))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (r) => toOrganization(r.org, r.role),
    (r) => r.org.id,
  );
}

export async function getOrganization(db: Database, orgId: string, role: OrgRole) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
  if (!org) throw new NotFound('organization');
  return toOrganization(org, role);
}

export async function updateOrganization(
  db: Database,
  orgId: string,
  role: OrgRole,
  input: UpdateOrgRequest,
) {
  try {
    const [org] = await db
      .update(organizations)
      .set({ name: input.name, slug: input.slug, updatedAt: sql`now()` })
      .where(eq(organizations.id, orgId))
      .returning();
    if (!org) throw new NotFound('organization');
    return toOrganization(org, role);
  } catch (error) {
    if (isUniqueViolation(error, 'organizations_slug_unique')) {
      throw new Conflict(`The slug "${input.slug}" is taken.`);
    }
    throw error;
  }
}

/**
 * Deleting the org deletes its memberships, invitations and data (foreign keys cascade); its audit
 * rows stay (no foreign key), readable by `audit:read` holders.
 */
export async function deleteOrganization(db: Database, actor: AuditActor, orgId: string) {
  await db.transaction(async (tx) => {
    const [org] = await tx
      .delete(organizations)
      .where(eq(organizations.id, orgId))
      .returning({ name: organizations.name, slug: organizations.slug });
    if (!org) throw new NotFound('organization');
    await recordAudit(tx, {
      ...actor,
      action: 'org.deleted',
      targetType: 'org',
      targetId: orgId,
      orgId,
      data: { name: org.name, slug: org.slug },
    });
  });
}
