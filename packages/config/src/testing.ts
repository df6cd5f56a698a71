import { createServer } from 'node:net';

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

/**
 * A port for a process a test starts (redis-server, clamd, the built API) to listen on, free when
 * asked. Chosen below the kernel's ephemeral range (Linux: 32768–60999), which `listen(0)` and every
 * outgoing connection draw from: with four test files at a time, another file's connection to
 * PostgreSQL or Redis took a port reserved that way before the child bound it (EADDRINUSE).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
