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

/** `options`: other parameters than today's, for tests of hashes made before a change. */
export function hashPassword(
  password: string,
  options: { memoryCost: number; timeCost: number; parallelism: number } = ARGON2_OPTIONS,
): Promise<string> {
  return hash(password, { ...options, algorithm: ARGON2_OPTIONS.algorithm });
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

/**
 * True when `stored` is an argon2 hash weaker than ARGON2_OPTIONS in memory, passes or lanes (or
 * not argon2id at all): the caller rehashes on a successful login. Reads only the PHC string's
 * parameters, so a current hash costs no extra hashing.
 */
export function needsRehash(stored: string): boolean {
  const match = /^\$(argon2(?:id|i|d))\$(?:v=\d+\$)?m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!match) return true;
  const [, variant, m, t, p] = match;
  return (
    variant !== 'argon2id' ||
    Number(m) < ARGON2_OPTIONS.memoryCost ||
    Number(t) < ARGON2_OPTIONS.timeCost ||
    Number(p) < ARGON2_OPTIONS.parallelism
  );
}
