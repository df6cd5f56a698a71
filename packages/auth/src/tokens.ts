import { createHash, randomBytes } from 'node:crypto';

/** An opaque 256-bit token, URL-safe; only its hash is ever stored. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a token, hex. A fast hash is right here (unlike passwords): the tokens carry 256
 * bits of entropy, so there is nothing to brute-force, and lookups must be cheap.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
