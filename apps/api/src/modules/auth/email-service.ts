import type { User } from '@atrium/contracts';
import { isUniqueViolation } from '@atrium/db';
import { recordAudit } from '@atrium/db/queries';
import { enqueueEmail } from '@atrium/jobs';
import { assertAvailable } from '../../accounts.js';
import { BadRequest, Conflict } from '../../errors.js';
import {
  consumeOneTimeTokenRow,
  createOneTimeToken,
  spendOneTimeTokens,
} from './one-time-tokens.js';
import { setEmail } from './queries.js';
import { queueTokenEmail } from './recovery-service.js';
import type { AuthContext } from './service.js';

const BAD_TOKEN = 'The link is invalid, expired or already used; ask for a new one.';

/** A new verification link; 409 when the address is confirmed already. */
export async function resendVerification({ db }: AuthContext, me: User) {
  if (me.emailVerified) throw new Conflict('This email address is already verified.');
  await db.transaction((tx) => queueTokenEmail(tx, me, 'email-verification'));
}

/**
 * Emails a confirmation link to the new address and a notice to the current one, in one
 * transaction with the token (earlier change links stop working). Nothing changes until the
 * link is used.
 */
export async function requestEmailChange(
  { db }: AuthContext,
  me: User,
  newEmail: string,
  actorIp: string,
) {
  if (newEmail.toLowerCase() === me.email.toLowerCase()) {
    throw new BadRequest('This is already your email address.', [
      { path: '/body/newEmail', message: 'is your current address' },
    ]);
  }
  await assertAvailable(db, newEmail, undefined, me.id);
  const name = me.fullName ?? undefined;
  await db.transaction(async (tx) => {
    await spendOneTimeTokens(tx, me.id, 'email-change');
    const token = await createOneTimeToken(tx, me.id, 'email-change', { newEmail });
    const key = token.slice(0, 16);
    await enqueueEmail(
      tx,
      newEmail,
      'email-change',
      { name, token },
      {
        idempotencyKey: `email-change:${key}`,
      },
    );
    await enqueueEmail(
      tx,
      me.email,
      'email-change-notice',
      { name, newEmail },
      {
        idempotencyKey: `email-change-notice:${key}`,
      },
    );
    await recordAudit(tx, {
      action: 'auth.email.change.requested',
      targetType: 'user',
      targetId: me.id,
      actorId: me.id,
      actorIp,
      data: { from: me.email, to: newEmail },
    });
  });
}

/**
 * Moves the account to the address the token was sent to, which is thereby verified. The token
 * alone proves it (the link may open where the account is not signed in); 409 when another
 * account took the address meanwhile.
 */
export async function confirmEmailChange(
  { db, authChanged }: AuthContext,
  token: string,
  actorIp: string,
) {
  await db
    .transaction(async (tx) => {
      const row = await consumeOneTimeTokenRow(tx, token, 'email-change');
      if (!row?.newEmail) throw new BadRequest(BAD_TOKEN);
      const previous = await setEmail(tx, row.userId, row.newEmail);
      await recordAudit(tx, {
        action: 'auth.email.changed',
        targetType: 'user',
        targetId: row.userId,
        actorId: row.userId,
        actorIp,
        data: { from: previous, to: row.newEmail },
      });
      await authChanged(tx);
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new Conflict('Another account uses this email address now.');
      }
      throw error;
    });
}
