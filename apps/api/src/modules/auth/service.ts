import { generateToken, hashPassword, hashToken, verifyPassword } from '@atrium/auth';
import type {
  ChangePasswordRequest,
  LoginRequest,
  RegisterRequest,
  UpdateMeRequest,
  User,
} from '@atrium/contracts';
import { type Database, isUniqueViolation } from '@atrium/db';
import { otherSessionsOf, revokeSessions, sessionsOf, toUser } from '@atrium/db/queries';
import { uuidv7 } from 'uuidv7';
import {
  assertAvailable,
  assertStrongPassword,
  getUser,
  insertAccount,
  prepareAccount,
} from '../../accounts.js';
import { Conflict, HttpError, NotFound, Unauthorized } from '../../errors.js';
import { acceptInvitationIn } from '../../invitation-acceptance.js';
import type { LoginLimiter } from './limiter.js';
import { type SessionTokens, toSession } from './mapping.js';
import {
  findLogin,
  markEmailVerified,
  passwordHashOf,
  setPasswordHash,
  updateProfile,
} from './queries.js';
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

const BAD_LOGIN = 'The email/username or password is incorrect.';

/** Seconds (Config['sessions']): a session ends when no refresh used it for `idleTimeoutSeconds`. */
export interface Lifetimes {
  refreshTokenTtlSeconds: number;
  idleTimeoutSeconds: number;
}
const DEFAULT_LIFETIMES: Lifetimes = {
  refreshTokenTtlSeconds: 604_800,
  idleTimeoutSeconds: 604_800,
};
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

/** What the auth module needs of the app: its database, the sign-in budgets, change announcements. */
export interface AuthContext {
  db: Database;
  failures: LoginLimiter;
  authChanged(tx: Database): Promise<void>;
  lifetimes: Lifetimes;
}

/** Who starts a session: stored with it, so its owner can tell their sessions apart. */
export interface SessionClient {
  userAgent: string | undefined;
  ip: string;
}

export interface SignedIn {
  user: User;
  session: SessionTokens;
}

/** A new session with its first refresh token; the token is returned, never stored. */
export async function startSession(
  db: Database,
  userId: string,
  client: SessionClient,
  lifetimes: Lifetimes = DEFAULT_LIFETIMES,
): Promise<SessionTokens> {
  const sessionId = uuidv7();
  const refreshToken = generateToken();
  await insertSession(db, {
    sessionId,
    userId,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
    ip: client.ip,
    expiresAt: inSeconds(lifetimes.idleTimeoutSeconds).toISOString(),
    tokenExpiresAt: inSeconds(lifetimes.refreshTokenTtlSeconds).toISOString(),
    tokenId: uuidv7(),
    tokenHash: hashToken(refreshToken),
  });
  return { sessionId, refreshToken };
}

/**
 * The account and its verification email commit together: a crash between two transactions
 * would leave an account whose owner never gets the email. With an invitation token the account
 * joins the org in the same transaction (a bad token creates nothing), and its email counts as
 * verified: the invitation reached that mailbox.
 */
export async function register(
  { db, lifetimes }: AuthContext,
  input: RegisterRequest,
  client: SessionClient,
): Promise<SignedIn> {
  const account = await prepareAccount(db, input);
  const user = await db.transaction(async (tx) => {
    const created = await insertAccount(tx, account);
    if (!input.invitationToken) {
      await queueTokenEmail(tx, created, 'email-verification');
      return created;
    }
    await acceptInvitationIn(
      tx,
      created,
      { actorId: created.id, actorIp: client.ip },
      input.invitationToken,
    );
    await markEmailVerified(tx, created.id);
    return { ...created, emailVerified: true };
  });
  return { user, session: await startSession(db, user.id, client, lifetimes) };
}

export async function login(
  { db, failures, lifetimes }: AuthContext,
  input: LoginRequest,
  client: SessionClient,
): Promise<SignedIn> {
  const loginName = input.login.toLowerCase();
  const found = await findLogin(db, loginName);
  // Keyed by account when it exists, so email and username share one failure budget.
  const attempt = await failures.begin(found?.user, loginName, client.ip);
  // Unknown users verify against a dummy hash: same answer, comparable time.
  const ok = await verifyPassword(found?.user.passwordHash, input.password);
  if (!ok || !found?.user.isActive) throw new Unauthorized(BAD_LOGIN, 'invalid_credentials');
  await attempt.succeeded();
  // Told only to whoever knows the password; it counts as a success, not a failed guess.
  if (found.user.passwordResetRequired) throw passwordResetRequired();
  const session = await startSession(db, found.user.id, client, lifetimes);
  return { user: toUser(found.user, found.permissions), session };
}

const passwordResetRequired = () =>
  new HttpError(
    403,
    'password_reset_required',
    'An administrator requires a new password for this account: reset it through POST /auth/password-reset/request, then sign in.',
  );

type Rotation =
  | { kind: 'rotated'; userId: string; session: SessionTokens }
  | { kind: 'reused' }
  | { kind: 'invalid' };

/**
 * Exchanges a refresh token for a new one. Presenting a token that was rotated already is reuse
 * (a stolen copy, or a racing client we cannot tell from one) and ends the session.
 */
async function rotateRefreshToken(
  tx: Database,
  token: string,
  lifetimes: Lifetimes,
): Promise<Rotation> {
  const tokenHash = hashToken(token);
  const claimed = await claimRefreshToken(tx, tokenHash);
  if (!claimed) {
    const seen = await findRefreshToken(tx, tokenHash);
    if (!seen?.rotatedAt) return { kind: 'invalid' };
    await revokeSessions(tx, sessionById(seen.sessionId));
    return { kind: 'reused' };
  }
  const idleEnd = inSeconds(lifetimes.idleTimeoutSeconds);
  const session = await extendSession(tx, claimed.sessionId, idleEnd);
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
  { db, authChanged, lifetimes }: AuthContext,
  token: string,
): Promise<SignedIn> {
  // A reuse ends the session, committed before the refusal is answered.
  const result = await db.transaction(async (tx) => {
    const rotated = await rotateRefreshToken(tx, token, lifetimes);
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
export async function logout({ db, authChanged }: AuthContext, sessionId: string | undefined) {
  if (sessionId === undefined) return;
  await db.transaction(async (tx) => {
    await revokeSessions(tx, sessionById(sessionId));
    await authChanged(tx);
  });
}

export async function logoutEverywhere({ db, authChanged }: AuthContext, userId: string) {
  await db.transaction(async (tx) => {
    await revokeSessions(tx, sessionsOf(userId));
    await authChanged(tx);
  });
}

/** Ends the user's sessions but this one ("sign out other devices"). */
export async function logoutOthers(
  { db, authChanged }: AuthContext,
  userId: string,
  sessionId: string | undefined,
) {
  await db.transaction(async (tx) => {
    await revokeSessions(tx, otherSessionsOf(userId, sessionId));
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
    await revokeSessions(tx, otherSessionsOf(me.id, sessionId));
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
