import type { UserListQuery } from '@atrium/contracts';
import { type Database, users } from '@atrium/db';
import { and, desc, eq, ilike, lt, or, sql } from '@atrium/db/orm';
import { permissionsOf, userColumns } from '@atrium/db/queries';

/** Newest first (ids are UUIDv7), `limit + 1` rows after the `cursor` id, matching `q`. */
export function listUserRows(db: Database, query: UserListQuery, limit: number) {
  const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  return db
    .select({ user: userColumns, permissions: permissionsOf(users.id) })
    .from(users)
    .where(
      and(
        query.cursor ? lt(users.id, query.cursor) : undefined,
        pattern
          ? or(
              ilike(users.email, pattern),
              ilike(users.username, pattern),
              ilike(users.fullName, pattern),
            )
          : undefined,
      ),
    )
    .orderBy(desc(users.id))
    .limit(limit + 1);
}

export const deleteUserRow = (tx: Database, id: string) => tx.delete(users).where(eq(users.id, id));

export const setActive = (tx: Database, id: string, isActive: boolean) =>
  tx.update(users).set({ isActive, updatedAt: sql`now()` }).where(eq(users.id, id));

export const setSuperuser = (tx: Database, id: string, isSuperuser: boolean) =>
  tx.update(users).set({ isSuperuser, updatedAt: sql`now()` }).where(eq(users.id, id));

/** The columns PATCH /users/{id} may set, each only when given. */
export interface UserChanges {
  username?: string | null;
  fullName?: string | null;
  bio?: string | null;
  phoneNumber?: string | null;
  email?: string;
  isActive?: boolean;
  passwordResetRequired?: boolean;
}

/** A new email starts unverified: the administrator typed it, its owner has not confirmed it. */
export const updateUserRow = (tx: Database, id: string, changes: UserChanges) =>
  tx
    .update(users)
    .set({
      username: changes.username,
      fullName: changes.fullName,
      bio: changes.bio,
      phoneNumber: changes.phoneNumber,
      email: changes.email,
      emailVerifiedAt: changes.email === undefined ? undefined : null,
      isActive: changes.isActive,
      passwordResetRequired: changes.passwordResetRequired,
      updatedAt: sql`now()`,
    })
    .where(eq(users.id, id));
