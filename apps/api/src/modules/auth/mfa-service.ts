import {
  decryptSecret,
  encryptSecret,
  hashRecoveryCode,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  totpUri,
  verifyPassword,
} from '@atrium/auth';
import type {
  DisableMfaRequest,
  LoginMfaRequest,
  MfaStatus,
  Reauthenticated,
  ReauthenticateRequest,
  RecoveryCodes,
  TotpEnrollment,
  User,
} from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { recordAudit } from '@atrium/db/queries';
import QRCode from 'qrcode';
import { getUser } from '../../accounts.js';
import { BadRequest, Conflict, Forbidden, HttpError, Unauthorized } from '../../errors.js';
import { type Actor, auditSignIn, type LoginFailure, recordFailure } from './audit.js';
import {
  claimRecoveryCode,
  claimTotpStep,
  countUnusedRecoveryCodes,
  factorOf,
  markAuthenticated,
  removeFactor,
  replaceRecoveryCodes,
  setMfaEnabled,
  upsertPendingFactor,
} from './mfa-queries.js';
import { consumeOneTimeToken, peekOneTimeToken } from './one-time-tokens.js';
import { passwordHashOf } from './queries.js';
import { type AuthContext, type SessionClient, type SignedIn, startSession } from './service.js';

const BAD_CODE = 'The code is incorrect or was already used.';
const BAD_CHALLENGE =
  'The sign-in challenge is invalid or expired; sign in with your password again.';

/** The one proof a request carries, or 400 when it carries none or two. */
function oneOf<A extends string, B extends string>(
  input: Partial<Record<A | B, string>>,
  a: A,
  b: B,
): { kind: A | B; value: string } {
  const [first, second] = [a, b].filter((key) => input[key] !== undefined) as (A | B)[];
  if (!first || second) {
    throw new BadRequest(`Send exactly one of ${a} and ${b}.`, [
      { path: `/${a}`, message: `send either ${a} or ${b}` },
    ]);
  }
  return { kind: first, value: input[first]! };
}

/** True when `code` is the user's current TOTP code and newer than any they used (replay refused). */
async function useTotpCode(context: AuthContext, tx: Database, userId: string, code: string) {
  const factor = await factorOf(tx, userId);
  if (!factor?.confirmedAt) return false;
  const step = matchTotp(decryptSecret(context.mfaKey, factor.secret), code, context.now());
  return step !== undefined && claimTotpStep(tx, userId, step);
}

/** The second step of a two-factor sign-in: the challenge from the password step and a code. */
export async function completeMfaLogin(
  context: AuthContext,
  input: LoginMfaRequest,
  client: SessionClient,
): Promise<SignedIn> {
  const { db, failures } = context;
  const proof = oneOf(input, 'code', 'recoveryCode');
  const userId = await peekOneTimeToken(db, input.challengeToken, 'mfa-challenge');
  if (!userId) throw new Unauthorized(BAD_CHALLENGE, 'invalid_token');
  const user = await getUser(db, userId);
  if (!user.isActive) throw new Unauthorized(BAD_CHALLENGE, 'invalid_token');
  // The same budgets as passwords: guessing codes locks the pair, then the account.
  const attempt = await failures.begin({ id: userId }, userId, client.ip);
  const session = await db.transaction(async (tx) => {
    const ok =
      proof.kind === 'code'
        ? await useTotpCode(context, tx, userId, proof.value)
        : await claimRecoveryCode(tx, userId, hashRecoveryCode(proof.value));
    if (!ok) return undefined;
    // Rolls the used code back too: a challenge that raced to completion elsewhere spends nothing.
    if (!(await consumeOneTimeToken(tx, input.challengeToken, 'mfa-challenge'))) {
      throw new Unauthorized(BAD_CHALLENGE, 'invalid_token');
    }
    const started = await startSession(tx, userId, client, context.lifetimes);
    const method = proof.kind === 'code' ? 'totp' : 'recovery_code';
    await auditSignIn(tx, userId, client.ip, started.sessionId, method);
    return started;
  });
  if (!session) {
    const reason = proof.kind === 'code' ? 'bad_code' : 'bad_recovery_code';
    await recordFailure(db, userId, client.ip, reason, attempt);
    throw new Unauthorized(BAD_CODE, 'invalid_credentials');
  }
  await attempt.succeeded();
  return { user, session };
}

/**
 * Checks a password or a TOTP code of the signed-in user against the sign-in budgets; `change`
 * then runs in the same transaction as the code's use, and failures are audited.
 */
async function withProof<T>(
  context: AuthContext,
  me: User,
  ip: string,
  input: { password?: string; code?: string },
  during: 'reauthenticate' | 'mfa.disable',
  change: (tx: Database) => Promise<T>,
): Promise<T> {
  const { db, failures } = context;
  const proof = oneOf(input, 'password', 'code');
  const attempt = await failures.begin(me, me.email, ip);
  const passwordOk =
    proof.kind === 'password' &&
    (await verifyPassword(await passwordHashOf(db, me.id), proof.value));
  const result = await db.transaction(async (tx) => {
    const ok =
      proof.kind === 'password' ? passwordOk : await useTotpCode(context, tx, me.id, proof.value);
    return ok ? { value: await change(tx) } : undefined;
  });
  if (!result) {
    const reason: LoginFailure = proof.kind === 'password' ? 'bad_password' : 'bad_code';
    await recordFailure(db, me.id, ip, reason, attempt, during);
    const what = proof.kind === 'password' ? 'The password is incorrect.' : BAD_CODE;
    throw new Unauthorized(what, 'invalid_credentials');
  }
  await attempt.succeeded();
  return result.value;
}

/** Renews this session's password/2FA check, so sensitive routes accept it for REAUTH_WINDOW. */
export async function reauthenticate(
  context: AuthContext,
  me: User,
  actor: Actor,
  sessionId: string | undefined,
  input: ReauthenticateRequest,
): Promise<Reauthenticated> {
  if (!sessionId) {
    throw new BadRequest('Identity-provider sign-ins re-authenticate at their provider.');
  }
  const at = await withProof(context, me, actor.ip, input, 'reauthenticate', async (tx) => {
    const renewed = await markAuthenticated(tx, sessionId, me.id);
    if (!renewed) throw new Unauthorized('The session has ended; sign in again.', 'invalid_token');
    await recordAudit(tx, {
      action: 'auth.reauthenticated',
      actorId: actor.id,
      actorIp: actor.ip,
      targetType: 'session',
      targetId: sessionId,
      data: { method: input.password !== undefined ? 'password' : 'totp' },
    });
    return renewed;
  });
  return {
    authenticatedAt: at.toISOString(),
    validUntil: new Date(at.getTime() + context.reauthWindowSeconds * 1000).toISOString(),
  };
}

export async function mfaStatus(context: AuthContext, me: User): Promise<MfaStatus> {
  const remaining = me.mfaEnabled ? await countUnusedRecoveryCodes(context.db, me.id) : 0;
  return { enabled: me.mfaEnabled, recoveryCodesRemaining: remaining };
}

/** A new secret to add to an authenticator app; two-factor sign-in is on once a code confirms it. */
export async function startTotpEnrollment(context: AuthContext, me: User): Promise<TotpEnrollment> {
  const secret = newTotpSecret();
  const pending = await upsertPendingFactor(
    context.db,
    me.id,
    encryptSecret(context.mfaKey, secret),
  );
  if (!pending) throw new Conflict('Two-factor sign-in is already on; turn it off first.');
  const otpauthUri = totpUri(secret, me.email, context.mfaIssuer);
  const svg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M' });
  return {
    secret,
    otpauthUri,
    qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
  };
}

/** The first code turns two-factor sign-in on and answers the recovery codes, once. */
export async function confirmTotp(
  context: AuthContext,
  me: User,
  actor: Actor,
  code: string,
): Promise<RecoveryCodes> {
  const recoveryCodes = newRecoveryCodes();
  await context.db.transaction(async (tx) => {
    const factor = await factorOf(tx, me.id);
    if (!factor) throw new Conflict('Start the enrolment first (POST /auth/mfa/totp).');
    if (factor.confirmedAt) throw new Conflict('Two-factor sign-in is already on.');
    const step = matchTotp(decryptSecret(context.mfaKey, factor.secret), code, context.now());
    if (step === undefined || !(await claimTotpStep(tx, me.id, step, true))) {
      throw new HttpError(400, 'invalid_credentials', `${BAD_CODE} Check the time on your device.`);
    }
    await setMfaEnabled(tx, me.id, true);
    await replaceRecoveryCodes(tx, me.id, recoveryCodes.map(hashRecoveryCode));
    await recordAudit(tx, {
      action: 'auth.mfa.enabled',
      actorId: actor.id,
      actorIp: actor.ip,
      targetType: 'user',
      targetId: me.id,
      data: { method: 'totp' },
    });
    await context.authChanged(tx);
  });
  return { recoveryCodes };
}

export async function regenerateRecoveryCodes(
  context: AuthContext,
  me: User,
  actor: Actor,
): Promise<RecoveryCodes> {
  if (!me.mfaEnabled) throw new Conflict('Turn on two-factor sign-in first.');
  const recoveryCodes = newRecoveryCodes();
  await context.db.transaction(async (tx) => {
    await replaceRecoveryCodes(tx, me.id, recoveryCodes.map(hashRecoveryCode));
    await recordAudit(tx, {
      action: 'auth.mfa.recovery_codes.regenerated',
      actorId: actor.id,
      actorIp: actor.ip,
      targetType: 'user',
      targetId: me.id,
    });
  });
  return { recoveryCodes };
}

/** Needs a fresh code or the password, besides a recent sign-in (the route's `reauth`). */
export async function disableTotp(
  context: AuthContext,
  me: User,
  actor: Actor,
  input: DisableMfaRequest,
) {
  if (!me.mfaEnabled) throw new Conflict('Two-factor sign-in is not on.');
  if (context.mfaRequired(me)) {
    throw new Forbidden('Your account must keep two-factor sign-in (MFA_REQUIRED_FOR).');
  }
  await withProof(context, me, actor.ip, input, 'mfa.disable', async (tx) => {
    if (!(await removeFactor(tx, me.id))) throw new Conflict('Two-factor sign-in is not on.');
    await setMfaEnabled(tx, me.id, false);
    await recordAudit(tx, {
      action: 'auth.mfa.disabled',
      actorId: actor.id,
      actorIp: actor.ip,
      targetType: 'user',
      targetId: me.id,
    });
    await context.authChanged(tx);
  });
}
