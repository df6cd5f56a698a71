import { InvalidKey } from './errors.js';

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
