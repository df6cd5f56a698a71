import type { AuthResponse, Session, User } from '@atrium/contracts';
import type { SessionRow } from '@atrium/db';
import type { FastifyInstance } from 'fastify';
import { deviceOf } from './device.js';

/** The tokens of a started or refreshed session; the refresh token is never stored. */
export interface SessionTokens {
  sessionId: string;
  refreshToken: string;
}

export function authResponse(
  app: Pick<FastifyInstance, 'jwt' | 'config'>,
  user: User,
  session: SessionTokens,
): AuthResponse {
  return {
    accessToken: app.jwt.sign({ sub: user.id, sid: session.sessionId }),
    refreshToken: session.refreshToken,
    tokenType: 'bearer',
    expiresIn: app.config.sessions.accessTokenTtlSeconds,
    user,
  };
}

/** `currentId`: the session of the asking request, if it has one of ours. */
export function toSession(row: SessionRow, currentId: string | undefined): Session {
  return {
    id: row.id,
    userAgent: row.userAgent,
    device: deviceOf(row.userAgent),
    ip: row.ip,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    current: row.id === currentId,
  };
}
