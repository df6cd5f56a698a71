import { hash, verify } from '@node-rs/argon2';

/**
 * OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane). @node-rs/argon2 runs on libuv's
 * thread pool, so hashing never blocks the event loop.
 */
export const ARGON2_OPTIONS = {
  // Algorithm.Argon2id; the enum is an ambient const enum that verbatimModuleSyntax cannot read.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

// A real hash of a random string, so that checking an unknown account costs one full verify:
// unknown user and wrong password then take comparable time.
let dummyHash: Promise<string> | undefined;

/**
 * True when `password` matches `stored`. With no stored hash (unknown user, or an account that
 * only signs in through an identity provider) it still runs one verify and answers false.
 */
export async function verifyPassword(
  stored: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword(`dummy-${Math.random()}`);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
