import type { Config } from '@atrium/config';
import { type LocalStorage, localStorage } from './local.js';
import type { S3Storage } from './s3.js';

/** Which store and where, as configuration names it. */
export type StorageSettings = Config['storage'];

/**
 * The store `settings` name, for the API and the worker alike. S3 credentials come from the AWS
 * SDK's default chain; the local driver signs upload URLs pointing at `local.uploadUrl`. The AWS
 * SDK is loaded only when S3 is chosen: it takes about a second of CPU to import.
 */
export async function storageFromSettings(
  settings: StorageSettings,
  local: { signingSecret: Buffer; uploadUrl: string },
): Promise<LocalStorage | S3Storage> {
  if (settings.driver === 's3') {
    const { s3Storage } = await import('./s3.js');
    const { bucket, region, endpoint, forcePathStyle } = settings;
    return s3Storage({ bucket, region, forcePathStyle, ...(endpoint ? { endpoint } : {}) });
  }
  return localStorage({ root: settings.root, ...local });
}
