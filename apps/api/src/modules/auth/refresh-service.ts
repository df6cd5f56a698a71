import { generateToken, hashToken } from '@atrium/auth';
import type { Database } from '@atrium/db';
import { recordAudit, revokeSessions } from '@atrium/db/queries';
import { getUser } from '../../accounts.js';
import { Unauthorized } from '../../errors.js';
import type { SessionTokens } from './mapping.js';
import { type AuthContext, inSeconds, type Lifetimes, type SignedIn } from './service.js';
import {
  claimRefreshToken,
  extendSession,
  findRefreshToken,
  insertRefreshToken,
  sessionById,
} from './sessions.js';

type Rotation =
  | { kind: 'rotated'; userId: string; session: SessionTokens }
  | { kind: 'reused' }
  | { kind: 'invalid' };

/**
 * Exchanges a refresh token for a new one. A token rotated less than `graceSeconds` ago gets
 * another pair for the same session: two tabs refreshing at once both stay signed in. Later, it
 * is reuse (a stolen copy) and ends the session, audited once (only the revoking request writes).
 */
async function rotateRefreshToken(
  tx: Database,
  token: string,
  graceSeconds: number,
  lifetimes: Lifetimes,
  ip: string,
): Promise<Rotation> {
  const tokenHash = hashToken(token);
  const claimed = await claimRefreshToken(tx, tokenHash);
  let sessionId = claimed?.sessionId;
  if (!claimed) {
    const seen = await findRefreshToken(tx, tokenHash, graceSeconds);
    if (!seen?.rotatedAt) return { kind: 'invalid' };
    if (!seen.withinGrace) {
      const revoked = await revokeSessions(tx, sessionById(seen.sessionId));
      if (revoked.length) {
        await recordAudit(tx, {
          action: 'auth.refresh.reused',
          // Whoever presented the token: the owner or a thief, unknowable.
          actorId: null,
          actorIp: ip,
          targetType: 'session',
          targetId: seen.sessionId,
          data: { userId: seen.userId },
        });
      }
      return { kind: 'reused' };
    }
    sessionId = seen.sessionId;
  }
  // Each refresh moves the session's idle end; the new token has its own lifetime.
  const session = await extendSession(tx, sessionId!, inSeconds(lifetimes.idleTimeoutSeconds));
  if (!session) return { kind: 'invalid' };
  const refreshToken = generateToken();
  const tokenEnd = inSeconds(lifetimes.refreshTokenTtlSeconds);
  await insertRefreshToken(tx, session.id, hashToken(refreshToken), tokenEnd);
  return {
    kind: 'rotated',
    userId: session.userId,
    session: { sessionId: session.id, refreshToken },
  };
}

export async function refresh(
  { db, authChanged, refreshGraceSeconds, lifetimes }: AuthContext,
  token: string,
  ip: string,
): Promise<SignedIn> {
  // A reuse ends the session, committed before the refusal is answered.
  const result = await db.transaction(async (tx) => {
    const rotated = await rotateRefreshToken(tx, token, refreshGraceSeconds, lifetimes, ip);
    if (rotated.kind === 'reused') await authChanged(tx);
    return rotated;
  });
  if (result.kind === 'reused') {
    throw new Unauthorized(
      'This refresh token was already used; the session has been ended.',
      'refresh_token_reused',
    );
  }
  if (result.kind === 'invalid') {
    throw new Unauthorized('The refresh token is invalid or expired.', 'invalid_token');
  }
  const user = await getUser(db, result.userId);
  if (!user.isActive) throw new Unauthorized('This account is disabled.', 'invalid_token');
  return { user, session: result.session };
}
