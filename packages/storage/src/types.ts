import type { Readable } from 'node:stream';

/** What a client needs to send the bytes straight to the store, without passing them to us. */
export interface UploadTarget {
  url: string;
  method: 'POST' | 'PUT';
  /** Form fields to send before the file part (presigned POST). */
  fields?: Record<string, string>;
  /** Headers to send with the body (signed PUT). */
  headers?: Record<string, string>;
  expiresAt: Date;
}

export interface UploadTargetRequest {
  key: string;
  /** The declared size: the store refuses a body larger than this. */
  maxBytes: number;
  contentType: string;
  /** How long the target is valid. */
  expiresInSeconds: number;
}

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
  contentType?: string;
}

/**
 * One interface for the local disk and S3. Keys are slash-separated relative paths such as
 * `quarantine/<uploadId>`; the prefixes (`quarantine/`, `clean/`, `results/`) are the caller's
 * convention.
 */
export interface Storage {
  readonly driver: 'local' | 's3';
  put(key: string, body: Readable | Buffer, options?: { contentType?: string }): Promise<void>;
  /** Streams the object; throws `NotFound` when it is missing. */
  read(key: string): Promise<Readable>;
  /** `undefined` when the object does not exist. */
  stat(key: string): Promise<StoredObject | undefined>;
  /** Removing a missing object is not an error (retried jobs delete twice). */
  delete(key: string): Promise<void>;
  /** Copy then delete on S3, rename on disk; throws `NotFound` when `from` is missing. */
  move(from: string, to: string): Promise<void>;
  list(prefix: string): AsyncIterable<StoredObject>;
  uploadTarget(request: UploadTargetRequest): Promise<UploadTarget>;
}
