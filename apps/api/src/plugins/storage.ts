import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@atrium/config';
import { type LocalStorage, type S3Storage, storageFromSettings } from '@atrium/storage';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where uploaded bytes live (STORAGE_DRIVER): the uploads module and tests share this one. */
    storage: LocalStorage | S3Storage;
    /** The secret local upload URLs are signed with (the PUT route verifies with it). */
    uploadSigningSecret: Buffer;
  }
}

/**
 * The key local upload URLs are signed with: UPLOAD_SIGNING_SECRET, else one derived from
 * JWT_SECRET (HKDF with its own label, so the two never sign interchangeable things), else — in
 * development only, where JWT_SECRET may be unset — a random key kept under DATA_DIR so that a
 * restart leaves handed-out URLs valid.
 */
export function uploadSigningSecret(config: Config): Buffer {
  if (config.uploads.signingSecret) return Buffer.from(config.uploads.signingSecret);
  if (config.jwtSecret) {
    return Buffer.from(hkdfSync('sha256', config.jwtSecret, '', 'atrium upload urls v1', 32));
  }
  const file = join(config.dataDir, 'upload-signing-secret');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim());
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return Buffer.from(secret);
  } catch {
    return Buffer.from(readFileSync(file, 'utf8').trim());
  }
}

export interface StorageOptions {
  /** A store the caller owns (tests: S3 with the test server's credentials). */
  storage?: LocalStorage | S3Storage;
  /** The local upload route's path, API prefix included: signed URLs point there. */
  uploadPath: string;
}

/**
 * Decorates `app.storage`: the one given (tests pass an S3 store with the test server's
 * credentials) or the one the config names. A store built here is closed with the app.
 */
export const storagePlugin = fp(
  async (app: FastifyInstance, options: StorageOptions) => {
    const secret = uploadSigningSecret(app.config);
    const storage =
      options.storage ??
      storageFromSettings(app.config.storage, {
        signingSecret: secret,
        uploadUrl: `${app.config.publicApiUrl}${options.uploadPath}`,
      });
    app.decorate<LocalStorage | S3Storage>('storage', storage);
    app.decorate('uploadSigningSecret', secret);
    if (!options.storage && storage.driver === 's3') {
      app.addHook('onClose', async () => storage.close());
    }
  },
  { name: 'storage', dependencies: ['context'] },
);
