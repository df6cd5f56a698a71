import { ACCESS_TOKEN_TTL_SECONDS, generateToken, hashToken } from '@atrium/auth';
import type { AuthResponse, User } from '@atrium/contracts';
import { type Database, refreshTokens, sessions } from '@atrium/db';
import { and, eq, gt, isNull, sql } from '@atrium/db/orm';
import { revokeSessions } from '@atrium/db/queries';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { uuidv7 } from 'uuidv7';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

const inSevenDays = () => new Date(Date.now() + SESSION_TTL_MS);

export type StartSession = (
  userId: string,
  request: FastifyRequest,
) => Promise<{ sessionId: string; refreshToken: string }>;

/**
 * Starts sessions: a new session with its first refresh token, in one statement prepared once
 * per database (one round trip, one commit, only parameters on the wire: login is hot). The
 * token itself is returned, never stored.
 */
export function prepareStartSession(db: Database): StartSession {
  const param = (name: string) => sql.placeholder(name);
  const newSession = db.$with('new_session', {}).as(
    sql`insert into ${sessions} (id, user_id, user_agent, ip, expires_at)
      values (${param('sessionId')}, ${param('userId')}, ${param('userAgent')}, ${param('ip')}, ${param('expiresAt')}::timestamptz)`,
  );
  const query = db
    .with(newSession)
    .insert(refreshTokens)
    // Every column explicit: a default computed in JS would be frozen into the statement.
    .values({
      id: param('tokenId'),
      sessionId: param('sessionId'),
      tokenHash: param('tokenHash'),
      expiresAt: sql`${param('expiresAt')}::timestamptz`, // the same ISO string as the session's
    })
    .prepare('auth_start_session');
  return async (userId, request) => {
    const sessionId = uuidv7();
    const refreshToken = generateToken();
    await query.execute({
      sessionId,
      userId,
      userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
      ip: request.ip,
      expiresAt: inSevenDays().toISOString(),
      tokenId: uuidv7(),
      tokenHash: hashToken(refreshToken),
    });
    return { sessionId, refreshToken };
  };
}

async function issueRefreshToken(tx: Database, sessionId: string) {
  const token = generateToken();
  await tx
    .insert(refreshTokens)
    .values({ sessionId, tokenHash: hashToken(token), expiresAt: inSevenDays() });
  return token;
}

export function authResponse(
  app: Pick<FastifyInstance, 'jwt'>,
  user: User,
  session: { sessionId: string; refreshToken: string },
): AuthResponse {
  return {
    accessToken: app.jwt.sign({ sub: user.id, sid: session.sessionId }),
    refreshToken: session.refreshToken,
    tokenType: 'bearer',
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    user,
  };
}

export type RotateResult =
  | { kind: 'rotated'; userId: string; sessionId: string; refreshToken: string }
  | { kind: 'reused' }
  | { kind: 'invalid' };

/**
 * Exchanges a refresh token for a new one. The conditional UPDATE is the arbiter: of concurrent
 * requests with one token exactly one sees `rotated_at IS NULL`. Any other presentation of a
 * rotated token is reuse (a stolen copy, or a racing client we cannot tell from one) and ends
 * the session; the caller commits that before answering.
 */
export async function rotateRefreshToken(tx: Database, token: string): Promise<RotateResult> {
  const tokenHash = hashToken(token);
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
  if (!claimed) {
    const [seen] = await tx
      .select({ sessionId: refreshTokens.sessionId, rotatedAt: refreshTokens.rotatedAt })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash));
    if (!seen?.rotatedAt) return { kind: 'invalid' };
    await revokeSessions(tx, eq(sessions.id, seen.sessionId));
    return { kind: 'reused' };
  }
  const [session] = await tx
    .update(sessions)
    .set({ lastUsedAt: sql`now()`, expiresAt: inSevenDays() })
    .where(
      and(
        eq(sessions.id, claimed.sessionId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
      ),
    )
    .returning({ id: sessions.id, userId: sessions.userId });
  if (!session) return { kind: 'invalid' };
  const refreshToken = await issueRefreshToken(tx, session.id);
  return { kind: 'rotated', userId: session.userId, sessionId: session.id, refreshToken };
}
