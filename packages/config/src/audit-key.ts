import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './load.js';

/**
 * The key audit checkpoints are signed with. Retention signs them in the worker and verification
 * checks them in the API, so both derive it here from the same configuration: AUDIT_SIGNING_SECRET,
 * else JWT_SECRET through HKDF with a label of its own (the two never sign interchangeable
 * things), else — in development only, where JWT_SECRET may be unset — a random key kept under
 * DATA_DIR, which every process of an embedded or local setup shares.
 */
export function auditSigningKey(config: Config): Buffer {
  if (config.audit.signingSecret) return Buffer.from(config.audit.signingSecret);
  if (config.jwtSecret) {
    return Buffer.from(hkdfSync('sha256', config.jwtSecret, '', 'atrium audit checkpoints v1', 32));
  }
  const file = join(config.dataDir, 'audit-signing-secret');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim());
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  // 'wx' fails if another process won the race; then read what it wrote.
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return Buffer.from(secret);
  } catch {
    return Buffer.from(readFileSync(file, 'utf8').trim());
  }
}
