import { uploadSigningKey } from '@atrium/config';
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
    const secret = uploadSigningKey(app.config);
    const storage =
      options.storage ??
      (await storageFromSettings(app.config.storage, {
        signingSecret: secret,
        uploadUrl: `${app.config.publicApiUrl}${options.uploadPath}`,
      }));
    app.decorate<LocalStorage | S3Storage>('storage', storage);
    app.decorate('uploadSigningSecret', secret);
    if (!options.storage && storage.driver === 's3') {
      app.addHook('onClose', async () => storage.close());
    }
  },
  { name: 'storage', dependencies: ['context'] },
);
