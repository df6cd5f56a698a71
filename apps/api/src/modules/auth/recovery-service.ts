import type { User } from '@atrium/contracts';
import { type Database, type OneTimeTokenPurpose, users } from '@atrium/db';
import { eq, sql } from '@atrium/db/orm';
import { enqueue } from '@atrium/jobs';
import { createOneTimeToken } from './one-time-tokens.js';

/** The web app's page each emailed token opens. */
const PAGES: Record<OneTimeTokenPurpose, string> = {
  'email-verification': '/verify-email',
  'password-reset': '/reset-password',
};

/**
 * Creates a one-time token for `purpose` and queues its email (the template has the purpose's
 * name), in the caller's transaction. The link carries the token in the fragment, so it never
 * reaches a server log; the web app reads it and posts it back. `token` is in the data too for
 * non-browser clients.
 */
export async function queueTokenEmail(
  tx: Database,
  user: Pick<User, 'id' | 'email'>,
  purpose: OneTimeTokenPurpose,
) {
  const token = await createOneTimeToken(tx, user.id, purpose);
  await enqueue(
    tx,
    'email',
    {
      to: user.email,
      template: purpose,
      data: { token, link: `${PAGES[purpose]}#token=${token}` },
    },
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
    const [user] = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
      .limit(1);
    if (user) await queueTokenEmail(tx, user, 'password-reset');
  });
}
