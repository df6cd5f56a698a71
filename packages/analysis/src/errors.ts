/** The input is not what its type says: the analysis ends `failed` with this message. */
export class Malformed extends Error {
  override name = 'Malformed';
}

/**
 * Reading the stored bytes failed (storage unreachable, object gone): not the file's fault, so
 * `analyseFile` rejects with this instead of answering `failed`, and the job retries.
 */
export class SourceError extends Error {
  override name = 'SourceError';
  readonly code = 'source_failed';
  constructor(cause: unknown) {
    super(`reading the file failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** `analyseFile` was given a content type it has no analyser for (the caller's allow-list). */
export class UnsupportedType extends Error {
  override name = 'UnsupportedType';
  readonly code = 'unsupported_type';
  constructor(readonly contentType: string) {
    super(`no analyser for content type ${JSON.stringify(contentType)}`);
  }
}
