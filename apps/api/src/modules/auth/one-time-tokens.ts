import { generateToken, hashToken } from '@atrium/auth';
import { type Database, type OneTimeTokenPurpose, oneTimeTokens } from '@atrium/db';
import { and, eq, gt, isNull, sql } from '@atrium/db/orm';

const ONE_HOUR_MS = 3600 * 1000;

export async function createOneTimeToken(
  tx: Database,
  userId: string,
  purpose: OneTimeTokenPurpose,
  ttlMs = ONE_HOUR_MS,
): Promise<string> {
  const token = generateToken();
  await tx.insert(oneTimeTokens).values({
    userId,
    purpose,
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
    .returning({ userId: oneTimeTokens.userId });
  return row?.userId;
}
