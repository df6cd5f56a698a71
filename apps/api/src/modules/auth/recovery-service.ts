import { hashPassword } from '@atrium/auth';
import type { PasswordResetConfirm, User } from '@atrium/contracts';
import type { Database, OneTimeTokenPurpose } from '@atrium/db';
import { sessionsOf } from '@atrium/db/queries';
import { enqueueEmail } from '@atrium/jobs';
import { assertStrongPassword } from '../../accounts.js';
import { BadRequest } from '../../errors.js';
import { endSessions } from './audit.js';
import { consumeOneTimeToken, createOneTimeToken } from './one-time-tokens.js';
import { findByEmail, markEmailVerified, setPasswordHash } from './queries.js';
import type { AuthContext } from './service.js';

const BAD_TOKEN = 'The link is invalid, expired or already used; ask for a new one.';

/**
 * Creates a one-time token for `purpose` and queues its email (the template has the purpose's
 * name), in the caller's transaction. The template builds the link, with the token in the
 * fragment so it never reaches a server log; the web app reads it and posts it back.
 */
export async function queueTokenEmail(
  tx: Database,
  user: Pick<User, 'id' | 'email'>,
  purpose: Exclude<OneTimeTokenPurpose, 'mfa-challenge'>,
) {
  const token = await createOneTimeToken(tx, user.id, purpose);
  await enqueueEmail(
    tx,
    user.email,
    purpose,
    { token },
    { idempotencyKey: `${purpose}:${token.slice(0, 16)}` },
  );
}

/**
 * Emails a reset link when the address has an account, and does nothing otherwise: the lookup,
 * the token and its email in one transaction. Runs after the 202 is sent, so the answer's
 * timing cannot tell the two cases apart.
 */
export async function requestPasswordReset(db: Database, email: string) {
  await db.transaction(async (tx) => {
    const user = await findByEmail(tx, email);
    if (user) await queueTokenEmail(tx, user, 'password-reset');
  });
}

/** Sets the new password and ends every session of the token's owner. */
export async function confirmPasswordReset(
  { db, failures, authChanged }: AuthContext,
  { token, newPassword }: PasswordResetConfirm,
  ip: string,
) {
  // Check the policy first, so a weak password does not burn the token.
  await assertStrongPassword(newPassword, 'newPassword', []);
  const passwordHash = await hashPassword(newPassword);
  const userId = await db.transaction(async (tx) => {
    const owner = await consumeOneTimeToken(tx, token, 'password-reset');
    if (!owner) throw new BadRequest(BAD_TOKEN);
    await setPasswordHash(tx, owner, passwordHash);
    // The actor is whoever holds the emailed link: presumed the owner.
    await endSessions(tx, authChanged, sessionsOf(owner), {
      action: 'auth.password.reset',
      actor: { id: owner, ip },
      userId: owner,
      countAs: 'endedSessions',
    });
    return owner;
  });
  // Guessing elsewhere may have spent the account's sign-in budget; the owner can sign in now.
  await failures.forgive(userId);
}

export async function verifyEmail({ db, authChanged }: AuthContext, token: string) {
  await db.transaction(async (tx) => {
    const userId = await consumeOneTimeToken(tx, token, 'email-verification');
    if (!userId) throw new BadRequest(BAD_TOKEN);
    await markEmailVerified(tx, userId);
    await authChanged(tx);
  });
}
