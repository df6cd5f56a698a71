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

/**
 * Checks a new account (password policy, free email and username) and hashes its password: the
 * slow part, done before any transaction is opened.
 */
export async function prepareAccount(db: Database, input: NewAccount): Promise<NewUserRow> {
  await assertStrongPassword(input.password, 'password', [
    input.email,
    input.username ?? '',
    input.fullName ?? '',
  ]);
  await assertAvailable(db, input.email, input.username);
  return {
    email: input.email,
    username: input.username,
    fullName: input.fullName,
    isSuperuser: input.isSuperuser,
    passwordHash: await hashPassword(input.password),
  };
}

/**
 * Inserts a prepared account; given a transaction, the account exists only if the caller's other
 * writes commit too (registration and its verification email).
 */
export async function insertAccount(tx: Database, account: NewUserRow): Promise<User> {
  const user = await insertUser(tx, account);
  // Lost a race with a concurrent registration of the same email or username.
  if (!user) throw new Conflict('An account with this email or username already exists.');
  return user;
}

/** Creates an account after the policy check; 409 when the email or username is taken. */
export async function createAccount(db: Database, input: NewAccount): Promise<User> {
  return insertAccount(db, await prepareAccount(db, input));
}
