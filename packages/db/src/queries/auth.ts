import { and, eq, isNotNull, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { oneTimeTokens, refreshTokens, sessions } from '../schema/index.js';
import { olderThanDays } from './age.js';

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

const count = async (rows: Promise<unknown[]>) => (await rows).length;

// Retention: what the maintenance job deletes of the account tables; each returns the rows removed.

/** Ended sessions: expired, or revoked a day ago (recent ones still explain a reuse alarm). */
export const purgeEndedSessions = (db: Database) =>
  count(
    db
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, sql`now()`), olderThanDays(sessions.revokedAt, 1)))
      .returning({ id: sessions.id }),
  );

export const purgeExpiredRefreshTokens = (db: Database) =>
  count(
    db
      .delete(refreshTokens)
      .where(lt(refreshTokens.expiresAt, sql`now()`))
      .returning({ id: refreshTokens.id }),
  );

export const purgeSpentOneTimeTokens = (db: Database) =>
  count(
    db
      .delete(oneTimeTokens)
      .where(or(lt(oneTimeTokens.expiresAt, sql`now()`), isNotNull(oneTimeTokens.usedAt)))
      .returning({ id: oneTimeTokens.id }),
  );
