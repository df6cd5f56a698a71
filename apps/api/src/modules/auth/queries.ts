import type { UpdateMeRequest } from '@atrium/contracts';
import { type Database, perDatabase, users } from '@atrium/db';
import { eq, or, sql } from '@atrium/db/orm';
import { permissionsOf } from '@atrium/db/queries';

// What sign-in, the own account and recovery read and write of `users`; sessions are in
// sessions.ts, one-time tokens in one-time-tokens.ts.

/** The login lookup (by email or username, case-insensitively) with the user's permissions. */
const loginStatement = perDatabase((db) =>
  db
    .select({ user: users, permissions: permissionsOf(users.id) })
    .from(users)
    .where(
      or(
        eq(sql`lower(${users.email})`, sql.placeholder('login')),
        eq(sql`lower(${users.username})`, sql.placeholder('login')),
      ),
    )
    .limit(1)
    .prepare('auth_login_lookup'),
);

/** `login` is lower-cased already. */
export async function findLogin(db: Database, login: string) {
  const [found] = await loginStatement(db).execute({ login });
  return found;
}

export async function findByEmail(db: Database, email: string) {
  const [user] = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1);
  return user;
}

export async function passwordHashOf(db: Database, id: string) {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, id));
  return row?.hash;
}

export const updateProfile = (tx: Database, id: string, profile: UpdateMeRequest) =>
  tx
    .update(users)
    .set({
      username: profile.username,
      fullName: profile.fullName,
      bio: profile.bio,
      phoneNumber: profile.phoneNumber,
      updatedAt: sql`now()`,
    })
    .where(eq(users.id, id));

/** A new password also clears an administrator's demand for one. */
export const setPasswordHash = (tx: Database, id: string, passwordHash: string) =>
  tx
    .update(users)
    .set({ passwordHash, passwordResetRequired: false, updatedAt: sql`now()` })
    .where(eq(users.id, id));

/** Moves the account to a confirmed address; answers the one it had. */
export async function setEmail(tx: Database, id: string, email: string) {
  const [before] = await tx
    .select({ email: users.email })
    .from(users)
    .where(eq(users.id, id))
    .for('update');
  await tx
    .update(users)
    .set({ email, emailVerifiedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(users.id, id));
  return before?.email;
}

/** Keeps the first verification time when the email is confirmed again. */
export const markEmailVerified = (tx: Database, id: string) =>
  tx
    .update(users)
    .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
    .where(eq(users.id, id));
