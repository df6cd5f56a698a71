import type { Readable } from 'node:stream';
import type { Database } from '@atrium/db';
import {
  AlreadyExists,
  BadSignature,
  type LocalStorage,
  TooLarge,
  verifyUploadSignature,
} from '@atrium/storage';
import { Conflict, Forbidden, HttpError, NotFound } from '../../errors.js';
import { uploadByKey } from './queries.js';

/** What the local driver's PUT route hands over: the signed query, the headers, the body stream. */
export interface LocalUpload {
  query: Record<string, string>;
  contentType: string | undefined;
  contentLength: string | undefined;
  body: Readable;
}

/**
 * `cut`: the body was abandoned mid-stream, so the connection cannot carry another request (the
 * rest of the body would be read as one): it closes after the answer.
 */
const tooLarge = (maxBytes: number, cut = false) =>
  new HttpError(
    413,
    'payload_too_large',
    `The body is larger than the ${maxBytes} bytes declared for this upload.`,
    undefined,
    cut ? { connection: 'close' } : undefined,
  );

/**
 * Receives the bytes of a local upload: the URL's signature (403 when tampered with or expired),
 * the declared content type and size, then the body streamed to disk (413 past the declared size,
 * with nothing left behind; 409 when the upload already has its bytes). Nothing else changes:
 * `complete` moves the upload on.
 */
export async function receiveLocalUpload(
  db: Database,
  storage: LocalStorage,
  secret: Buffer,
  upload: LocalUpload,
) {
  let signed: ReturnType<typeof verifyUploadSignature>;
  try {
    signed = verifyUploadSignature(secret, upload.query);
  } catch (error) {
    if (!(error instanceof BadSignature)) throw error;
    throw new Forbidden(
      error.reason === 'expired'
        ? 'The upload URL has expired; request a new upload.'
        : 'The upload URL is not valid.',
    );
  }
  const sentType = upload.contentType?.split(';')[0]?.trim().toLowerCase();
  if (sentType !== signed.contentType) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `The Content-Type must be ${signed.contentType}, as declared for this upload.`,
    );
  }
  // An honest client learns it at once; the streamed count below is the guarantee.
  if (upload.contentLength !== undefined && Number(upload.contentLength) > signed.maxBytes) {
    throw tooLarge(signed.maxBytes);
  }
  const row = await uploadByKey(db, signed.key);
  if (!row) throw new NotFound('upload');
  // Also after the bytes moved on (scanned, cleaned, purged): the quarantine key is free again,
  // and a second write there would be a file nothing scans.
  if (row.status !== 'pending') throw new Conflict('This upload has already received its file.');
  try {
    await storage.writeUploadStream(signed.key, upload.body, { maxBytes: signed.maxBytes });
  } catch (error) {
    if (error instanceof TooLarge) throw tooLarge(signed.maxBytes, true);
    if (error instanceof AlreadyExists) {
      throw new Conflict('This upload has already received its file.');
    }
    throw error;
  }
}
