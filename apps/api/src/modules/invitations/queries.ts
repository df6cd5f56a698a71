import {
  type Database,
  type InvitationRow,
  invitations,
  organizations,
  type TenantScope,
  users,
} from '@atrium/db';
import { and, desc, eq, getTableColumns, gt, isNull, lt, sql } from '@atrium/db/orm';
import { pendingInvitation as pending } from '@atrium/db/queries';

const toAddress = (email: string) => eq(sql`lower(${invitations.email})`, email.toLowerCase());

/**
 * Locks the org's row until the transaction ends and returns its name: one org's invitations are
 * counted and written one at a time, so concurrent requests cannot all pass its limit. `no key
 * update` leaves foreign-key checks (new members, new rows pointing at the org) unblocked.
 */
export async function lockOrganization(tx: Database, orgId: string) {
  const [org] = await tx
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .for('no key update');
  return org;
}

/**
 * Serializes invitations to one address across all orgs until the transaction ends (an advisory
 * lock on a hash of the lower-cased address; a collision only makes two addresses wait for each
 * other). Taken after the org lock, always in that order, so two invitations cannot deadlock.
 */
export async function lockRecipient(tx: Database, email: string) {
  const key = `atrium:invitation-to:${email.toLowerCase()}`;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

/** A count of invitations created within the last `seconds`, and when the oldest/newest leaves. */
export interface Recent {
  count: number;
  /** Seconds until the oldest (or newest) of them is out of the window; at least 1. */
  leavesIn: number;
}

// On the database clock, the one `created_at` was written with.
const window = (seconds: number) => sql`make_interval(secs => ${seconds})`;
const within = (seconds: number) => gt(invitations.createdAt, sql`now() - ${window(seconds)}`);

function recentColumns(seconds: number, edge: 'oldest' | 'newest') {
  const at =
    edge === 'oldest' ? sql`min(${invitations.createdAt})` : sql`max(${invitations.createdAt})`;
  return {
    count: sql<number>`count(*)::int`,
    leavesIn: sql<number | null>`ceil(extract(epoch from ${at} + ${window(seconds)} - now()))::int`,
  };
}

const toRecent = ([row]: { count: number; leavesIn: number | null }[]): Recent => ({
  count: row?.count ?? 0,
  leavesIn: Math.max(1, row?.leavesIn ?? 1),
});

/** What the org sent within `seconds` (any address). */
export const sentByOrg = async (scope: TenantScope, seconds: number) =>
  toRecent(
    await scope.select(invitations, recentColumns(seconds, 'oldest'), { where: within(seconds) }),
  );

/** What the org sent to this address within `seconds`; `leavesIn` counts from the newest. */
export const sentByOrgTo = async (scope: TenantScope, email: string, seconds: number) =>
  toRecent(
    await scope.select(invitations, recentColumns(seconds, 'newest'), {
      where: and(toAddress(email), within(seconds)),
    }),
  );

/**
 * What every org together sent to this address within `seconds`: the one deliberate read across
 * tenants (so on the transaction, not a tenant scope), a bare count that returns no other org's rows.
 */
export const sentToAddress = async (tx: Database, email: string, seconds: number) =>
  toRecent(
    await tx
      .select(recentColumns(seconds, 'oldest'))
      .from(invitations)
      .where(and(toAddress(email), within(seconds))),
  );

export async function inviterName(tx: Database, userId: string) {
  const [inviter] = await tx
    .select({ email: users.email, fullName: users.fullName })
    .from(users)
    .where(eq(users.id, userId));
  return inviter?.fullName ?? inviter?.email ?? 'A member';
}

/** Revokes the org's pending invitation to this address, if there is one. */
export async function revokePendingTo(scope: TenantScope, email: string) {
  await scope.update(
    invitations,
    { revokedAt: sql`now()` },
    and(toAddress(email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
  );
}

export async function insertInvitation(
  scope: TenantScope,
  values: Pick<InvitationRow, 'email' | 'role' | 'tokenHash' | 'invitedBy' | 'expiresAt'>,
) {
  const [row] = await scope
    .insert(invitations, {
      email: values.email,
      role: values.role,
      tokenHash: values.tokenHash,
      invitedBy: values.invitedBy,
      expiresAt: values.expiresAt,
    })
    .returning();
  return row!;
}

export const pendingPage = (scope: TenantScope, limit: number, cursor?: string) =>
  scope.select(invitations, getTableColumns(invitations), {
    where: and(pending(), cursor ? lt(invitations.id, cursor) : undefined),
    orderBy: [desc(invitations.id)],
    limit: limit + 1,
  });

/** The revoked invitation's address and role; undefined when none was pending. */
export async function revokePending(scope: TenantScope, id: string) {
  const [revoked] = await scope
    .update(invitations, { revokedAt: sql`now()` }, and(eq(invitations.id, id), pending()))
    .returning({ email: invitations.email, role: invitations.role });
  return revoked;
}
