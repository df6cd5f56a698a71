import { hkdfSync } from 'node:crypto';
import { type Config, jwtSecret } from '@atrium/config';

/**
 * A 256-bit key for sealing data at rest (`purpose` names its use, e.g. `totp-secret`), derived
 * with HKDF from MFA_ENCRYPTION_KEY, or from the JWT secret when that is unset: one secret to
 * keep, and modules never see it. Each purpose gets an unrelated key.
 */
export function sealingKey(config: Config, purpose: string): Buffer {
  const material = config.mfa.encryptionKey ?? jwtSecret(config);
  return Buffer.from(hkdfSync('sha256', material, 'atrium-sealing-key', purpose, 32));
}
