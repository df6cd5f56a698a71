import type { AuditAction } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import type { SQL } from '@atrium/db/orm';
import { recordAudit, revokeSessions } from '@atrium/db/queries';
import type { LoginAttempt } from './limiter.js';

// The audit rows of sign-ins, written by the login, 2FA and re-authentication paths alike.

/** Who did it, for the audit log: the signed-in user and their address. */
export interface Actor {
  id: string;
  ip: string;
}

export type LoginFailure =
  | 'unknown_account'
  | 'bad_password'
  | 'disabled'
  | 'bad_code'
  | 'bad_recovery_code';

/**
 * Audits a failed password or code check, and a lockout when this failure spent the last point
 * of a budget: one transaction, independent of whatever change the check guarded.
 */
export async function recordFailure(
  db: Database,
  userId: string | undefined,
  ip: string,
  reason: LoginFailure,
  attempt: LoginAttempt,
  during: 'login' | 'reauthenticate' | 'mfa.disable' = 'login',
) {
  const who = {
    actorId: userId ?? null,
    actorIp: ip,
    targetType: 'user',
    targetId: userId,
  } as const;
  await db.transaction(async (tx) => {
    await recordAudit(tx, { ...who, action: 'auth.login.failed', data: { reason, during } });
    if (attempt.exhausted) {
      await recordAudit(tx, { ...who, action: 'auth.lockout', data: { scope: attempt.exhausted } });
    }
  });
}

export const auditSignIn = (
  tx: Database,
  userId: string,
  ip: string,
  sessionId: string,
  method: 'password' | 'totp' | 'recovery_code',
) =>
  recordAudit(tx, {
    action: 'auth.login.succeeded',
    actorId: userId,
    actorIp: ip,
    targetType: 'session',
    targetId: sessionId,
    data: { method },
  });

/**
 * Ends the sessions `which` selects, in the caller's transaction, with the audit row of `action`
 * on `userId` saying how many ended (as `data[countAs]`); every instance drops them once it commits.
 */
export async function endSessions(
  tx: Database,
  authChanged: (tx: Database) => Promise<void>,
  which: SQL | undefined,
  audit: {
    action: AuditAction;
    actor: Actor;
    userId: string;
    countAs: 'sessions' | 'endedSessions';
  },
) {
  const ended = await revokeSessions(tx, which);
  await recordAudit(tx, {
    action: audit.action,
    actorId: audit.actor.id,
    actorIp: audit.actor.ip,
    targetType: 'user',
    targetId: audit.userId,
    data: { [audit.countAs]: ended.length },
  });
  await authChanged(tx);
}
