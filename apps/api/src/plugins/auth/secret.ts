import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@atrium/config';

/**
 * The HS256 signing secret. Staging and production must set JWT_SECRET (config enforces it);
 * elsewhere a random one is kept under DATA_DIR so an embedded restart keeps sessions valid.
 */
export function jwtSecret(config: Config): string {
  if (config.jwtSecret) return config.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  // 'wx' fails if another process won the race; then read what it wrote.
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}

/**
 * A 256-bit key for sealing data at rest (`purpose` names its use, e.g. `totp-secret`), derived
 * with HKDF from MFA_ENCRYPTION_KEY, or from the JWT secret when that is unset: one secret to
 * keep, and modules never see it. Each purpose gets an unrelated key.
 */
export function sealingKey(config: Config, purpose: string): Buffer {
  const material = config.mfa.encryptionKey ?? jwtSecret(config);
  return Buffer.from(hkdfSync('sha256', material, 'atrium-sealing-key', purpose, 32));
}
