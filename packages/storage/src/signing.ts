import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadSignature } from './errors.js';
import { assertKey } from './keys.js';

/** What a signed local upload URL allows: one key, at most `maxBytes`, one content type, until `expiresAt`. */
export interface SignedUpload {
  key: string;
  maxBytes: number;
  contentType: string;
  expiresAt: Date;
}

const PARAMS = {
  key: 'key',
  maxBytes: 'max',
  contentType: 'type',
  expires: 'exp',
  signature: 'sig',
};

// JSON of an array is an unambiguous encoding: no choice of key or content type can make two
// different uploads sign the same bytes (a plain separator could be smuggled into a value).
function mac(secret: string | Buffer, upload: SignedUpload): Buffer {
  const expires = Math.floor(upload.expiresAt.getTime() / 1000);
  const message = JSON.stringify([
    'atrium-upload-v1',
    upload.key,
    upload.maxBytes,
    upload.contentType,
    expires,
  ]);
  return createHmac('sha256', secret).update(message).digest();
}

/** The query string of a signed upload URL (HMAC-SHA256 over key, size, content type and expiry). */
export function signUpload(secret: string | Buffer, upload: SignedUpload): URLSearchParams {
  return new URLSearchParams({
    [PARAMS.key]: upload.key,
    [PARAMS.maxBytes]: String(upload.maxBytes),
    [PARAMS.contentType]: upload.contentType,
    [PARAMS.expires]: String(Math.floor(upload.expiresAt.getTime() / 1000)),
    [PARAMS.signature]: mac(secret, upload).toString('base64url'),
  });
}

/**
 * Checks a signed upload URL's query and returns what it allows; throws `BadSignature` when it
 * is malformed, signed for anything else, or expired. The upload route then checks the request's
 * Content-Type against `contentType` and writes with `maxBytes` as the limit.
 */
export function verifyUploadSignature(
  secret: string | Buffer,
  query: URLSearchParams | Record<string, string | undefined>,
  now: Date = new Date(),
): SignedUpload {
  const get = (name: string) =>
    query instanceof URLSearchParams ? (query.get(name) ?? undefined) : query[name];
  const key = get(PARAMS.key);
  const max = get(PARAMS.maxBytes);
  const contentType = get(PARAMS.contentType);
  const expires = get(PARAMS.expires);
  const signature = get(PARAMS.signature);
  if (!key || !max || !contentType || !expires || !signature) throw new BadSignature('malformed');
  if (!/^\d{1,15}$/.test(max) || !/^\d{1,12}$/.test(expires)) throw new BadSignature('malformed');
  // Strict alphabet: Buffer's base64url decoder skips stray characters, which would let many
  // spellings of one signature through.
  if (!/^[A-Za-z0-9_-]{43}$/.test(signature)) throw new BadSignature('malformed');
  try {
    assertKey(key);
  } catch {
    throw new BadSignature('malformed');
  }
  const upload = {
    key,
    maxBytes: Number(max),
    contentType,
    expiresAt: new Date(Number(expires) * 1000),
  };
  const expected = mac(secret, upload);
  const given = Buffer.from(signature, 'base64url');
  // Length first: timingSafeEqual throws on unequal lengths, and the length of a MAC is public.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new BadSignature('mismatch');
  }
  // Expiry after the MAC, so an expired answer is only ever given for a URL we really signed.
  if (upload.expiresAt.getTime() <= now.getTime()) throw new BadSignature('expired');
  return upload;
}
