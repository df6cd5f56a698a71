import { generateToken, hashToken } from '@atrium/auth';
import { type Database, type OneTimeTokenPurpose, oneTimeTokens } from '@atrium/db';
import { and, eq, gt, isNull, sql } from '@atrium/db/orm';

const ONE_HOUR_MS = 3600 * 1000;

/**
 * A new single-use token; only its hash is stored. `newEmail`: for `email-change`, the address the
 * token confirms. `ttlMs`: an hour unless said (a sign-in challenge lives minutes).
 */
export async function createOneTimeToken(
  tx: Database,
  userId: string,
  purpose: OneTimeTokenPurpose,
  { newEmail = null, ttlMs = ONE_HOUR_MS }: { newEmail?: string | null; ttlMs?: number } = {},
): Promise<string> {
  const token = generateToken();
  await tx.insert(oneTimeTokens).values({
    userId,
    purpose,
    newEmail,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + ttlMs),
  });
  return token;
}

/** The user of a live token, without using it up (a wrong 2FA code may be retried). */
export async function peekOneTimeToken(
  db: Database,
  token: string,
  purpose: OneTimeTokenPurpose,
): Promise<string | undefined> {
  const [row] = await db
    .select({ userId: oneTimeTokens.userId })
    .from(oneTimeTokens)
    .where(
      and(
        eq(oneTimeTokens.tokenHash, hashToken(token)),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        gt(oneTimeTokens.expiresAt, sql`now()`),
      ),
    );
  return row?.userId;
}

/** Marks the token used and answers its user; a used, expired or unknown token answers undefined. */
export async function consumeOneTimeToken(
  tx: Database,
  token: string,
  purpose: OneTimeTokenPurpose,
): Promise<string | undefined> {
  return (await consumeOneTimeTokenRow(tx, token, purpose))?.userId;
}

/** As consumeOneTimeToken, with the address an `email-change` token confirms. */
export async function consumeOneTimeTokenRow(
  tx: Database,
  token: string,
  purpose: OneTimeTokenPurpose,
) {
  const [row] = await tx
    .update(oneTimeTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(oneTimeTokens.tokenHash, hashToken(token)),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
        gt(oneTimeTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ userId: oneTimeTokens.userId, newEmail: oneTimeTokens.newEmail });
  return row;
}

/** Ends the user's unused tokens of `purpose` (a newer one replaces them). */
export async function spendOneTimeTokens(
  tx: Database,
  userId: string,
  purpose: OneTimeTokenPurpose,
) {
  await tx
    .update(oneTimeTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(oneTimeTokens.userId, userId),
        eq(oneTimeTokens.purpose, purpose),
        isNull(oneTimeTokens.usedAt),
      ),
    );
}
