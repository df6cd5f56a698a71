export {
  AlreadyExists,
  BadSignature,
  InvalidKey,
  NotFound,
  StorageError,
  TooLarge,
} from './errors.js';
export { type StorageSettings, storageFromSettings } from './from-settings.js';
export { assertKey } from './keys.js';
export { type LocalStorage, type LocalStorageOptions, localStorage } from './local.js';
// s3Storage itself from `@atrium/storage/s3`: importing it loads the AWS SDK.
export type { S3Storage, S3StorageOptions } from './s3.js';
export { type SignedUpload, signUpload, verifyUploadSignature } from './signing.js';
export type { Storage, StoredObject, UploadTarget, UploadTargetRequest } from './types.js';
