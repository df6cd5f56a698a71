import { InvalidKey } from './errors.js';
import type { UploadTargetRequest } from './types.js';

// A segment may not start with a dot: no hidden files, and `.incoming` stays the driver's own.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Keys are the same on disk and in S3, so they are held to what is safe on both: relative,
 * slash-separated segments of letters, digits, `.`, `_` and `-`, no `.`/`..` segment, no empty
 * segment, at most 512 characters. Everything else (NUL, backslashes, absolute paths, `..`) is
 * refused rather than normalised, so a key never means two things.
 */
export function assertKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKey('empty');
  if (key.length > 512) throw new InvalidKey('longer than 512 characters');
  if (key.includes('\0')) throw new InvalidKey('contains NUL');
  if (key.startsWith('/')) throw new InvalidKey('absolute');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new InvalidKey(`bad segment "${segment}"`);
    }
    if (!SEGMENT.test(segment)) throw new InvalidKey(`unsafe characters in "${segment}"`);
  }
  return key;
}

/** A prefix for `list`: empty, or a key followed by `/`. */
export function assertPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** S3 presigned requests live at most 7 days; the same bound holds for local URLs. */
const MAX_EXPIRY_SECONDS = 7 * 24 * 3600;

export function assertUploadRequest(request: UploadTargetRequest): UploadTargetRequest {
  assertKey(request.key);
  if (!Number.isSafeInteger(request.maxBytes) || request.maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative integer, not ${request.maxBytes}`);
  }
  const seconds = request.expiresInSeconds;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRY_SECONDS) {
    throw new RangeError(`expiresInSeconds must be 1..${MAX_EXPIRY_SECONDS}, not ${seconds}`);
  }
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(request.contentType)) {
    throw new RangeError(
      `contentType must be a bare type/subtype, not ${JSON.stringify(request.contentType)}`,
    );
  }
  return request;
}
