import { generateToken, hashPassword, hashToken, needsRehash, verifyPassword } from '@atrium/auth';
import type {
  ChangePasswordRequest,
  LoginRequest,
  MfaRequired,
  RegisterRequest,
  UpdateMeRequest,
  User,
} from '@atrium/contracts';
import { type Database, isUniqueViolation } from '@atrium/db';
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
import { Conflict, HttpError, NotFound, Unauthorized } from '../../errors.js';
import { acceptInvitationIn } from '../../invitation-acceptance.js';
import { type Actor, auditSignIn, endSessions, recordFailure } from './audit.js';
import type { LoginLimiter } from './limiter.js';
import { type SessionTokens, toSession } from './mapping.js';
import { createOneTimeToken } from './one-time-tokens.js';
import {
  findLogin,
  markEmailVerified,
  passwordHashOf,
  setPasswordHash,
  updateProfile,
} from './queries.js';
import { queueTokenEmail } from './recovery-service.js';
import { insertSession, liveSessionsOf, sessionById, sessionOfUser } from './sessions.js';

const BAD_LOGIN = 'The email/username or password is incorrect.';

/** Seconds (Config['sessions']): a session ends when no refresh used it for `idleTimeoutSeconds`. */
export interface Lifetimes {
  refreshTokenTtlSeconds: number;
  idleTimeoutSeconds: number;
}
export const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

/** How long the password step of a two-factor sign-in stays good for its second step. */
export const MFA_CHALLENGE_TTL_SECONDS = 5 * 60;

/** What the auth module needs of the app: its database, the sign-in budgets, change announcements. */
export interface AuthContext {
  db: Database;
  failures: LoginLimiter;
  authChanged(tx: Database): Promise<void>;
  lifetimes: Lifetimes;
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
  lifetimes: Lifetimes,
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

const passwordResetRequired = () =>
  new HttpError(
    403,
    'password_reset_required',
    'An administrator requires a new password for this account: reset it through POST /auth/password-reset/request, then sign in.',
  );

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
  const { db, failures, lifetimes } = context;
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
  if (user.passwordResetRequired) {
    // Told only to whoever knows the password; it counts as a success, not a failed guess.
    await attempt.succeeded();
    throw passwordResetRequired();
  }
  const rehashed = needsRehash(user.passwordHash!) ? await hashPassword(input.password) : null;
  if (user.mfaEnabledAt) {
    // The budget is kept until the second step succeeds: a right password alone must not
    // refill it, or it would fund unlimited guesses at the code.
    const challengeToken = await db.transaction(async (tx) => {
      if (rehashed) await setPasswordHash(tx, user.id, rehashed);
      return createOneTimeToken(tx, user.id, 'mfa-challenge', {
        ttlMs: MFA_CHALLENGE_TTL_SECONDS * 1000,
      });
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
    const started = await startSession(tx, user.id, client, lifetimes);
    await auditSignIn(tx, user.id, client.ip, started.sessionId, 'password');
    return started;
  });
  return { user: toUser(user, permissions), session };
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
  await db.transaction((tx) =>
    endSessions(tx, authChanged, sessionsOf(actor.id), {
      action: 'auth.logout.all',
      actor,
      userId: actor.id,
      countAs: 'sessions',
    }),
  );
}

/** Ends the user's sessions but this one ("sign out other devices"). */
export async function logoutOthers(
  { db, authChanged }: AuthContext,
  actor: Actor,
  sessionId: string | undefined,
) {
  await db.transaction((tx) =>
    endSessions(tx, authChanged, otherSessionsOf(actor.id, sessionId), {
      action: 'auth.logout.others',
      actor,
      userId: actor.id,
      countAs: 'sessions',
    }),
  );
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
    await endSessions(tx, authChanged, otherSessionsOf(me.id, sessionId), {
      action: 'auth.password.changed',
      actor,
      userId: me.id,
      countAs: 'endedSessions',
    });
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
