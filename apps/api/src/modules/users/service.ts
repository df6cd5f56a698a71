import { checkPassword, hashPassword } from '@atrium/auth';
import type { User } from '@atrium/contracts';
import { type Database, users } from '@atrium/db';
import { and, eq, ne, or, sql } from '@atrium/db/orm';
import { BadRequest, Conflict, NotFound } from '../../errors.js';
import { permissionsOf, toUser } from '../../plugins/auth/principal.js';

export async function getUser(db: Database, id: string): Promise<User> {
  const [row] = await db
    .select({ user: users, permissions: permissionsOf(users.id) })
    .from(users)
    .where(eq(users.id, id));
  if (!row) throw new NotFound('user');
  return toUser(row.user, row.permissions);
}

/** Throws 400 with the policy's message, pointing at `field`. */
export async function assertStrongPassword(password: string, field: string, inputs: string[]) {
  const check = await checkPassword(password, inputs);
  if (!check.ok) {
    throw new BadRequest(check.message, [{ path: `/body/${field}`, message: check.message }]);
  }
}

export interface NewUser {
  email: string;
  password: string;
  username?: string | undefined;
  fullName?: string | undefined;
  isSuperuser?: boolean | undefined;
}

/** Creates an account after the policy check; 409 when the email or username is taken. */
export async function createUser(db: Database, input: NewUser): Promise<User> {
  const inputs = [input.email, input.username ?? '', input.fullName ?? ''];
  await assertStrongPassword(input.password, 'password', inputs);
  await assertAvailable(db, input.email, input.username);
  const [row] = await db
    .insert(users)
    .values({
      email: input.email,
      username: input.username ?? null,
      fullName: input.fullName ?? null,
      isSuperuser: input.isSuperuser ?? false,
      passwordHash: await hashPassword(input.password),
    })
    .onConflictDoNothing()
    .returning();
  // Lost a race with a concurrent registration of the same email or username.
  if (!row) throw new Conflict('An account with this email or username already exists.');
  return toUser(row, []);
}

async function assertAvailable(db: Database, email: string, username?: string, exceptId?: string) {
  const [taken] = await db
    .select({ email: users.email })
    .from(users)
    .where(
      and(
        or(
          eq(sql`lower(${users.email})`, email.toLowerCase()),
          username ? eq(sql`lower(${users.username})`, username.toLowerCase()) : undefined,
        ),
        exceptId ? ne(users.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (!taken) return;
  const which = taken.email.toLowerCase() === email.toLowerCase() ? 'email' : 'username';
  throw new Conflict(`An account with this ${which} already exists.`);
}

export async function assertUsernameFree(db: Database, username: string, userId: string) {
  const [taken] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(sql`lower(${users.username})`, username.toLowerCase()), ne(users.id, userId)))
    .limit(1);
  if (taken) throw new Conflict('An account with this username already exists.');
}

/**
 * Refuses to leave the system without an active superuser. Runs inside the changing
 * transaction with the superuser rows locked, so two concurrent demotions cannot both pass.
 */
export async function assertNotLastSuperuser(tx: Database, userId: string) {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)))
    .for('update');
  if (rows.length === 1 && rows[0]!.id === userId) {
    throw new Conflict('This is the last active superuser; promote another user first.');
  }
}
