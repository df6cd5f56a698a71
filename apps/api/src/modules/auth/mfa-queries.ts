import { type Database, mfaFactors, mfaRecoveryCodes, sessions, users } from '@atrium/db';
import { and, eq, isNotNull, isNull, lt, or, sql } from '@atrium/db/orm';

// The statements over TOTP factors and recovery codes; the rules are in mfa-service.ts.

/**
 * A new, unconfirmed secret for the user, replacing an unconfirmed one; undefined when a
 * confirmed factor exists (turn it off first).
 */
export async function upsertPendingFactor(tx: Database, userId: string, sealedSecret: string) {
  const [row] = await tx
    .insert(mfaFactors)
    .values({ userId, secret: sealedSecret })
    .onConflictDoUpdate({
      target: mfaFactors.userId,
      set: { secret: sealedSecret, lastUsedStep: null, createdAt: sql`now()` },
      setWhere: isNull(mfaFactors.confirmedAt),
    })
    .returning({ userId: mfaFactors.userId });
  return row;
}

/** The user's factor, locked for the rest of the transaction. */
export async function factorOf(tx: Database, userId: string) {
  const [row] = await tx
    .select({
      secret: mfaFactors.secret,
      confirmedAt: mfaFactors.confirmedAt,
      lastUsedStep: mfaFactors.lastUsedStep,
    })
    .from(mfaFactors)
    .where(eq(mfaFactors.userId, userId))
    .for('update');
  return row;
}

/**
 * Records `step` as used when it is newer than the last one used: the conditional UPDATE is the
 * arbiter, so of two requests with one code (or a replay) exactly one gets true.
 */
export async function claimTotpStep(tx: Database, userId: string, step: number, confirm = false) {
  const rows = await tx
    .update(mfaFactors)
    .set({ lastUsedStep: step, ...(confirm ? { confirmedAt: sql`now()` } : {}) })
    .where(
      and(
        eq(mfaFactors.userId, userId),
        confirm ? isNull(mfaFactors.confirmedAt) : isNotNull(mfaFactors.confirmedAt),
        or(isNull(mfaFactors.lastUsedStep), lt(mfaFactors.lastUsedStep, step)),
      ),
    )
    .returning({ userId: mfaFactors.userId });
  return rows.length === 1;
}

/** Marks an unused recovery code used; false for an unknown or used code. */
export async function claimRecoveryCode(tx: Database, userId: string, codeHash: string) {
  const rows = await tx
    .update(mfaRecoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        eq(mfaRecoveryCodes.codeHash, codeHash),
        isNull(mfaRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return rows.length === 1;
}

/** The user's recovery codes are these hashes, and only these. */
export async function replaceRecoveryCodes(tx: Database, userId: string, codeHashes: string[]) {
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  await tx.insert(mfaRecoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
}

export async function countUnusedRecoveryCodes(db: Database, userId: string) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(mfaRecoveryCodes)
    .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
  return row?.n ?? 0;
}

/** Turns the flag the cached principal reads on (`now()`) or off. */
export const setMfaEnabled = (tx: Database, userId: string, enabled: boolean) =>
  tx
    .update(users)
    .set({ mfaEnabledAt: enabled ? sql`now()` : null, updatedAt: sql`now()` })
    .where(eq(users.id, userId));

export async function removeFactor(tx: Database, userId: string) {
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  const rows = await tx
    .delete(mfaFactors)
    .where(and(eq(mfaFactors.userId, userId), isNotNull(mfaFactors.confirmedAt)))
    .returning({ userId: mfaFactors.userId });
  return rows.length === 1;
}

/** A password or 2FA check just passed in this session: answers the new time, or undefined. */
export async function markAuthenticated(tx: Database, sessionId: string, userId: string) {
  const [row] = await tx
    .update(sessions)
    .set({ authenticatedAt: sql`now()` })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ authenticatedAt: sessions.authenticatedAt });
  return row?.authenticatedAt;
}
