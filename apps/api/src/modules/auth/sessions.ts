import { type Database, perDatabase, refreshTokens, sessions } from '@atrium/db';
import { and, desc, eq, gt, isNull, sql } from '@atrium/db/orm';

// The statements over sessions and their refresh tokens; the rules (lifetimes, rotation, reuse)
// are in service.ts. Only token hashes are stored, never a token.

export interface NewSession {
  sessionId: string;
  userId: string;
  userAgent: string | null;
  ip: string;
  /** ISO timestamps: the session's end if no refresh uses it, and its first refresh token's. */
  expiresAt: string;
  tokenExpiresAt: string;
  tokenId: string;
  tokenHash: string;
}

/**
 * A new session with its first refresh token in one statement, prepared once per database (one
 * round trip, one commit, only parameters on the wire: login is hot).
 */
const startSessionStatement = perDatabase((db) => {
  const param = (name: string) => sql.placeholder(name);
  const newSession = db.$with('new_session', {}).as(
    sql`insert into ${sessions} (id, user_id, user_agent, ip, expires_at)
      values (${param('sessionId')}, ${param('userId')}, ${param('userAgent')}, ${param('ip')}, ${param('expiresAt')}::timestamptz)`,
  );
  return (
    db
      .with(newSession)
      .insert(refreshTokens)
      // Every column explicit: a default computed in JS would be frozen into the statement.
      .values({
        id: param('tokenId'),
        sessionId: param('sessionId'),
        tokenHash: param('tokenHash'),
        expiresAt: sql`${param('tokenExpiresAt')}::timestamptz`,
      })
      .prepare('auth_start_session')
  );
});

export async function insertSession(db: Database, session: NewSession): Promise<void> {
  await startSessionStatement(db).execute({ ...session });
}

export async function insertRefreshToken(
  tx: Database,
  sessionId: string,
  tokenHash: string,
  expiresAt: Date,
) {
  await tx.insert(refreshTokens).values({ sessionId, tokenHash, expiresAt });
}

/**
 * Marks a live refresh token rotated and answers its session. The conditional UPDATE is the
 * arbiter: of concurrent requests with one token exactly one sees `rotated_at IS NULL`.
 */
export async function claimRefreshToken(tx: Database, tokenHash: string) {
  const [claimed] = await tx
    .update(refreshTokens)
    .set({ rotatedAt: sql`now()` })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        isNull(refreshTokens.rotatedAt),
        gt(refreshTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ sessionId: refreshTokens.sessionId });
  return claimed;
}

/** A token already rotated: its session and owner, and whether it was rotated within `graceSeconds`. */
export async function findRefreshToken(tx: Database, tokenHash: string, graceSeconds: number) {
  const [seen] = await tx
    .select({
      sessionId: refreshTokens.sessionId,
      userId: sessions.userId,
      rotatedAt: refreshTokens.rotatedAt,
      withinGrace: sql<boolean>`${refreshTokens.rotatedAt} > now() - make_interval(secs => ${graceSeconds})`,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, tokenHash));
  return seen;
}

/** Marks a live session used and moves its expiry; undefined when it is revoked or expired. */
export async function extendSession(tx: Database, sessionId: string, expiresAt: Date) {
  const [session] = await tx
    .update(sessions)
    .set({ lastUsedAt: sql`now()`, expiresAt })
    .where(
      and(
        eq(sessions.id, sessionId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
      ),
    )
    .returning({ id: sessions.id, userId: sessions.userId });
  return session;
}

/** A user's live sessions, most recently used first. */
export const liveSessionsOf = (db: Database, userId: string) =>
  db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
      ),
    )
    .orderBy(desc(sessions.lastUsedAt))
    .limit(100);

export const sessionById = (id: string) => eq(sessions.id, id);

export const sessionOfUser = (userId: string, id: string) =>
  and(eq(sessions.id, id), eq(sessions.userId, userId));
