import { or } from 'drizzle-orm';
import type { Database } from '../client.js';
import { invitations } from '../schema/index.js';
import { olderThanDays } from './age.js';

/** Retention: expired, accepted or revoked invitations, kept 30 days for the org's admins to see. */
export async function purgeOldInvitations(db: Database): Promise<number> {
  const rows = await db
    .delete(invitations)
    .where(
      or(
        olderThanDays(invitations.expiresAt, 30),
        olderThanDays(invitations.acceptedAt, 30),
        olderThanDays(invitations.revokedAt, 30),
      ),
    )
    .returning({ id: invitations.id });
  return rows.length;
}
