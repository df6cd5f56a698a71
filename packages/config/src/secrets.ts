import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './load.js';

/**
 * A random secret kept in `DATA_DIR/<name>`, made by the first process that asks: for development
 * and embedded setups, where no variable names one, so restarts and every process of one setup
 * share it. Staging and production set their secrets (config enforces JWT_SECRET there).
 */
export function localSecret(config: Config, name: string): string {
  const file = join(config.dataDir, name);
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

/** The HS256 signing secret: JWT_SECRET, else a local one. */
export const jwtSecret = (config: Config) => config.jwtSecret ?? localSecret(config, 'jwt-secret');

/**
 * A key that signs one kind of thing: its own variable when set, else JWT_SECRET through HKDF
 * with a label of its own (two uses never sign interchangeable things), else a local secret.
 */
function signingKey(config: Config, own: string | undefined, label: string, file: string) {
  if (own) return Buffer.from(own);
  if (config.jwtSecret) return Buffer.from(hkdfSync('sha256', config.jwtSecret, '', label, 32));
  return Buffer.from(localSecret(config, file));
}

/**
 * The key audit checkpoints are signed with (AUDIT_SIGNING_SECRET): retention signs them in the
 * worker and verification checks them in the API, so both derive it here.
 */
export const auditSigningKey = (config: Config) =>
  signingKey(
    config,
    config.audit.signingSecret,
    'atrium audit checkpoints v1',
    'audit-signing-secret',
  );

/** The key local upload URLs are signed with (UPLOAD_SIGNING_SECRET); a restart keeps URLs valid. */
export const uploadSigningKey = (config: Config) =>
  signingKey(
    config,
    config.uploads.signingSecret,
    'atrium upload urls v1',
    'upload-signing-secret',
  );
