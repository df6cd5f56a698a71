import { type Database, sessions, users } from '@atrium/db';
import { and, eq, gt, inArray, isNull, sql } from '@atrium/db/orm';

/** Keeps each statement's parameter count well under PostgreSQL's 65,535. */
const CHUNK = 5000;

async function inChunks<T>(ids: string[], query: (chunk: string[]) => Promise<T[]>) {
  const found: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) found.push(...(await query(ids.slice(i, i + CHUNK))));
  return found;
}

/** Of `sessionIds`, those still live: not revoked, not expired, their user active and present. */
export async function liveSessionIds(db: Database, sessionIds: string[]): Promise<Set<string>> {
  const rows = await inChunks(sessionIds, (chunk) =>
    db
      .select({ id: sessions.id })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(
        and(
          inArray(sessions.id, chunk),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, sql`now()`),
          eq(users.isActive, true),
        ),
      ),
  );
  return new Set(rows.map((row) => row.id));
}

/** Of `userIds`, those present and active (streams of identity-provider tokens have no session). */
export async function activeUserIds(db: Database, userIds: string[]): Promise<Set<string>> {
  const rows = await inChunks(userIds, (chunk) =>
    db
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, chunk), eq(users.isActive, true))),
  );
  return new Set(rows.map((row) => row.id));
}
