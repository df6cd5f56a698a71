import { generateToken, hashPassword, hashToken, needsRehash, verifyPassword } from '@atrium/auth';
import type {
  ChangePasswordRequest,
  LoginRequest,
  MfaRequired,
  RegisterRequest,
  UpdateMeRequest,
  User,
} from '@atrium/contracts';
import type { Database } from '@atrium/db';
import {
  otherSessionsOf,
  recordAudit,
  revokeSessions,
  sessionsOf,
  toUser,
} from '@atrium/db/queries';
import { uuidv7 } from 'uuidv7';
import {
  assertAvailable,
  assertStrongPassword,
  getUser,
  insertAccount,
  prepareAccount,
} from '../../accounts.js';
import { Conflict, NotFound, Unauthorized } from '../../errors.js';
import type { LoginAttempt, LoginLimiter } from './limiter.js';
import { type SessionTokens, toSession } from './mapping.js';
import { createOneTimeToken } from './one-time-tokens.js';
import { findLogin, passwordHashOf, setPasswordHash, updateProfile } from './queries.js';
import { queueTokenEmail } from './recovery-service.js';
import {
  claimRefreshToken,
  extendSession,
  findRefreshToken,
  insertRefreshToken,
  insertSession,
  liveSessionsOf,
  sessionById,
  sessionOfUser,
} from './sessions.js';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
const BAD_LOGIN = 'The email/username or password is incorrect.';

const inSevenDays = () => new Date(Date.now() + SESSION_TTL_MS);

/** How long the password step of a two-factor sign-in stays good for its second step. */
export const MFA_CHALLENGE_TTL_SECONDS = 5 * 60;

/** What the auth module needs of the app: its database, the sign-in budgets, change announcements. */
export interface AuthContext {
  db: Database;
  failures: LoginLimiter;
  authChanged(tx: Database): Promise<void>;
  /** Milliseconds since the epoch: the clock TOTP codes are checked against (tests inject one). */
  now(): number;
  /** Seals TOTP secrets at rest (AES-256-GCM). */
  mfaKey: Buffer;
  /** The issuer an authenticator app shows beside the account. */
  mfaIssuer: string;
  /** True when MFA_REQUIRED_FOR names a privilege the user holds. */
  mfaRequired(user: User): boolean;
  reauthWindowSeconds: number;
  refreshGraceSeconds: number;
}

/** Who starts a session: stored with it, so its owner can tell their sessions apart. */
export interface SessionClient {
  userAgent: string | undefined;
  ip: string;
}

/** Who did it, for the audit log: the signed-in user and their address. */
export interface Actor {
  id: string;
  ip: string;
}

export type LoginFailure =
  | 'unknown_account'
  | 'bad_password'
  | 'disabled'
  | 'bad_code'
  | 'bad_recovery_code';

/**
 * Audits a failed password or code check, and a lockout when this failure spent the last point
 * of a budget: one transaction, independent of whatever change the check guarded.
 */
export async function recordFailure(
  db: Database,
  userId: string | undefined,
  ip: string,
  reason: LoginFailure,
  attempt: LoginAttempt,
  during: 'login' | 'reauthenticate' | 'mfa.disable' = 'login',
) {
  const who = {
    actorId: userId ?? null,
    actorIp: ip,
    targetType: 'user',
    targetId: userId,
  } as const;
  await db.transaction(async (tx) => {
    await recordAudit(tx, { ...who, action: 'auth.login.failed', data: { reason, during } });
    if (attempt.exhausted) {
      await recordAudit(tx, { ...who, action: 'auth.lockout', data: { scope: attempt.exhausted } });
    }
  });
}

export interface SignedIn {
  user: User;
  session: SessionTokens;
}

/**
 * A new session with its first refresh token; the token is returned, never stored. Its
 * `authenticated_at` is now: a session starts with a password (and 2FA) check.
 */
export async function startSession(
  db: Database,
  userId: string,
  client: SessionClient,
): Promise<SessionTokens> {
  const sessionId = uuidv7();
  const refreshToken = generateToken();
  await insertSession(db, {
    sessionId,
    userId,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
    ip: client.ip,
    expiresAt: inSevenDays().toISOString(),
    tokenId: uuidv7(),
    tokenHash: hashToken(refreshToken),
  });
  return { sessionId, refreshToken };
}

/**
 * The account and its verification email commit together: a crash between two transactions
 * would leave an account whose owner never gets the email.
 */
export async function register(
  db: Database,
  input: RegisterRequest,
  client: SessionClient,
): Promise<SignedIn> {
  const account = await prepareAccount(db, input);
  const user = await db.transaction(async (tx) => {
    const created = await insertAccount(tx, account);
    await queueTokenEmail(tx, created, 'email-verification');
    return created;
  });
  return { user, session: await startSession(db, user.id, client) };
}

/**
 * Checks the password; an account with two-factor sign-in gets a challenge for its second step
 * instead of a session. A hash weaker than today's parameters is replaced while the password is
 * at hand (a PHC-string read: current hashes cost nothing more).
 */
export async function login(
  context: AuthContext,
  input: LoginRequest,
  client: SessionClient,
): Promise<SignedIn | MfaRequired> {
  const { db, failures } = context;
  const loginName = input.login.toLowerCase();
  const found = await findLogin(db, loginName);
  // Keyed by account when it exists, so email and username share one failure budget.
  const attempt = await failures.begin(found?.user, loginName, client.ip);
  // Unknown users verify against a dummy hash: same answer, comparable time.
  const ok = await verifyPassword(found?.user.passwordHash, input.password);
  if (!ok || !found?.user.isActive) {
    const reason = !found ? 'unknown_account' : !ok ? 'bad_password' : 'disabled';
    await recordFailure(db, found?.user.id, client.ip, reason, attempt);
    throw new Unauthorized(BAD_LOGIN, 'invalid_credentials');
  }
  const { user, permissions } = found;
  const rehashed = needsRehash(user.passwordHash!) ? await hashPassword(input.password) : null;
  if (user.mfaEnabledAt) {
    // The budget is kept until the second step succeeds: a right password alone must not
    // refill it, or it would fund unlimited guesses at the code.
    const challengeToken = await db.transaction(async (tx) => {
      if (rehashed) await setPasswordHash(tx, user.id, rehashed);
      return createOneTimeToken(tx, user.id, 'mfa-challenge', MFA_CHALLENGE_TTL_SECONDS * 1000);
    });
    return {
      status: 'mfa_required',
      challengeToken,
      expiresIn: MFA_CHALLENGE_TTL_SECONDS,
      methods: ['totp', 'recovery_code'],
    };
  }
  await attempt.succeeded();
  const session = await db.transaction(async (tx) => {
    if (rehashed) await setPasswordHash(tx, user.id, rehashed);
    const started = await startSession(tx, user.id, client);
    await auditSignIn(tx, user.id, client.ip, started.sessionId, 'password');
    return started;
  });
  return { user: toUser(user, permissions), session };
}

export const auditSignIn = (
  tx: Database,
  userId: string,
  ip: string,
  sessionId: string,
  method: 'password' | 'totp' | 'recovery_code',
) =>
  recordAudit(tx, {
    action: 'auth.login.succeeded',
    actorId: userId,
    actorIp: ip,
    targetType: 'session',
    targetId: sessionId,
    data: { method },
  });

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
  const session = await extendSession(tx, sessionId!, inSevenDays());
  if (!session) return { kind: 'invalid' };
  const refreshToken = generateToken();
  await insertRefreshToken(tx, session.id, hashToken(refreshToken), inSevenDays());
  return {
    kind: 'rotated',
    userId: session.userId,
    session: { sessionId: session.id, refreshToken },
  };
}

export async function refresh(
  { db, authChanged, refreshGraceSeconds }: AuthContext,
  token: string,
  ip: string,
): Promise<SignedIn> {
  // A reuse ends the session, committed before the refusal is answered.
  const result = await db.transaction(async (tx) => {
    const rotated = await rotateRefreshToken(tx, token, refreshGraceSeconds, ip);
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

/** Identity-provider tokens carry no session of ours (`sessionId` undefined): nothing to end. */
export async function logout(
  { db, authChanged }: AuthContext,
  actor: Actor,
  sessionId: string | undefined,
) {
  if (sessionId === undefined) return;
  await db.transaction(async (tx) => {
    const ended = await revokeSessions(tx, sessionById(sessionId));
    if (!ended.length) return;
    await recordAudit(tx, {
      action: 'auth.logout',
      actorId: actor.id,
      actorIp: actor.ip,
      targetType: 'session',
      targetId: sessionId,
    });
    await authChanged(tx);
  });
}

export async function logoutEverywhere({ db, authChanged }: AuthContext, actor: Actor) {
  await db.transaction(async (tx) => {
    const ended = await revokeSessions(tx, sessionsOf(actor.id));
    await recordAudit(tx, {
      action: 'auth.logout.all',
      actorId: actor.id,
      actorIp: actor.ip,
      targetType: 'user',
      targetId: actor.id,
      data: { sessions: ended.length },
    });
    await authChanged(tx);
  });
}

export async function updateMe({ db, authChanged }: AuthContext, me: User, input: UpdateMeRequest) {
  if (input.username) await assertAvailable(db, undefined, input.username, me.id);
  await db
    .transaction(async (tx) => {
      await updateProfile(tx, me.id, input);
      await authChanged(tx);
    })
    .catch((error: unknown) => {
      // A concurrent update took the username between the check above and this write.
      if (isUniqueViolation(error))
        throw new Conflict('An account with this username already exists.');
      throw error;
    });
  return getUser(db, me.id);
}

/** Ends the user's other sessions (all of them when the request has none of ours). */
export async function changePassword(
  { db, authChanged }: AuthContext,
  me: User,
  actor: Actor,
  sessionId: string | undefined,
  input: ChangePasswordRequest,
) {
  if (!(await verifyPassword(await passwordHashOf(db, me.id), input.currentPassword))) {
    throw new Unauthorized('The current password is incorrect.', 'invalid_credentials');
  }
  const inputs = [me.email, me.username ?? '', me.fullName ?? ''];
  await assertStrongPassword(input.newPassword, 'newPassword', inputs);
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await setPasswordHash(tx, me.id, passwordHash);
    const ended = await revokeSessions(tx, otherSessionsOf(me.id, sessionId));
    await recordAudit(tx, {
      action: 'auth.password.changed',
      actorId: actor.id,
      actorIp: actor.ip,
      targetType: 'user',
      targetId: me.id,
      data: { endedSessions: ended.length },
    });
    await authChanged(tx);
  });
}

export async function listSessions(db: Database, userId: string, currentId: string | undefined) {
  const rows = await liveSessionsOf(db, userId);
  return { items: rows.map((row) => toSession(row, currentId)) };
}

/** 404 for a session that is not the user's own, as for one that does not exist. */
export async function endOwnSession({ db, authChanged }: AuthContext, userId: string, id: string) {
  const ended = await db.transaction(async (tx) => {
    const rows = await revokeSessions(tx, sessionOfUser(userId, id));
    if (rows.length) await authChanged(tx);
    return rows.length;
  });
  if (!ended) throw new NotFound('session');
}

function isUniqueViolation(error: unknown): boolean {
  const codeOf = (e: unknown) => (e as { code?: string } | undefined)?.code;
  return codeOf(error) === '23505' || codeOf((error as { cause?: unknown }).cause) === '23505';
}
