import { and, eq, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { sessions } from '../schema/index.js';

/** Ends the matching live sessions. Callers also announce it (`app.authChanged(tx)`). */
export async function revokeSessions(tx: Database, where: SQL | undefined) {
  return tx
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(where, isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
}

export const sessionsOf = (userId: string) => eq(sessions.userId, userId);

/** A user's sessions but `keep` (the caller's own), or all of them when there is none. */
export const otherSessionsOf = (userId: string, keep: string | undefined) =>
  keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId);
