import type { User } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { enqueue } from '@atrium/jobs';
import { createOneTimeToken } from './one-time-tokens.js';

/**
 * The emailed links carry the token in the fragment, so it never reaches a server log; the
 * web app reads it and posts it back. `token` is in the data too for non-browser clients.
 */
export async function queueVerificationEmail(tx: Database, user: Pick<User, 'id' | 'email'>) {
  const token = await createOneTimeToken(tx, user.id, 'email-verification');
  await enqueue(
    tx,
    'email',
    {
      to: user.email,
      template: 'email-verification',
      data: { token, link: `/verify-email#token=${token}` },
    },
    { idempotencyKey: `email-verification:${token.slice(0, 16)}` },
  );
}

export async function queuePasswordResetEmail(tx: Database, user: Pick<User, 'id' | 'email'>) {
  const token = await createOneTimeToken(tx, user.id, 'password-reset');
  await enqueue(
    tx,
    'email',
    {
      to: user.email,
      template: 'password-reset',
      data: { token, link: `/reset-password#token=${token}` },
    },
    { idempotencyKey: `password-reset:${token.slice(0, 16)}` },
  );
}
