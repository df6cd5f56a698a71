import { checkPassword, hashPassword } from '@atrium/auth';
import type { User } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { findUser, insertUser, type NewUserRow, takenAccountField } from '@atrium/db/queries';
import { BadRequest, Conflict, NotFound } from './errors.js';

// Account rules that registration (auth) and administration (users) share, as HTTP errors;
// the queries behind them are in @atrium/db/queries.

export async function getUser(db: Database, id: string): Promise<User> {
  const user = await findUser(db, id);
  if (!user) throw new NotFound('user');
  return user;
}

/** Throws 400 with the policy's message, pointing at `field`. */
export async function assertStrongPassword(password: string, field: string, inputs: string[]) {
  const check = await checkPassword(password, inputs);
  if (!check.ok) {
    throw new BadRequest(check.message, [{ path: `/body/${field}`, message: check.message }]);
  }
}

/** 409 when another account has `email` or `username`. */
export async function assertAvailable(
  db: Database,
  email: string | undefined,
  username: string | undefined,
  exceptId?: string,
) {
  const taken = await takenAccountField(db, email, username, exceptId);
  if (taken) throw new Conflict(`An account with this ${taken} already exists.`);
}

export interface NewAccount extends Omit<NewUserRow, 'passwordHash'> {
  password: string;
}

/** Creates an account after the policy check; 409 when the email or username is taken. */
export async function createAccount(db: Database, input: NewAccount): Promise<User> {
  await assertStrongPassword(input.password, 'password', [
    input.email,
    input.username ?? '',
    input.fullName ?? '',
  ]);
  await assertAvailable(db, input.email, input.username);
  const user = await insertUser(db, {
    email: input.email,
    username: input.username,
    fullName: input.fullName,
    isSuperuser: input.isSuperuser,
    passwordHash: await hashPassword(input.password),
  });
  // Lost a race with a concurrent registration of the same email or username.
  if (!user) throw new Conflict('An account with this email or username already exists.');
  return user;
}
