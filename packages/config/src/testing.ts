/**
 * What tests run against, read from the environment here so that no other package does:
 * `TEST_DATABASE_URL` (any database on the server works as the admin connection) and
 * `TEST_REDIS_URL`.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The least a child process under test needs from ours: a PATH to find programs, and a HOME. */
export const inheritedEnv = () => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
});
