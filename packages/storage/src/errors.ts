/** Errors with a literal `code`, so callers map them without parsing messages. */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly code: 'invalid_key' | 'not_found' | 'already_exists' | 'too_large' | 'bad_signature',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class InvalidKey extends StorageError {
  override name = 'InvalidKey';
  constructor(reason: string) {
    super('invalid_key', `invalid storage key: ${reason}`);
  }
}

export class NotFound extends StorageError {
  override name = 'NotFound';
  constructor(readonly key: string) {
    super('not_found', `no stored object at ${key}`);
  }
}

export class AlreadyExists extends StorageError {
  override name = 'AlreadyExists';
  constructor(readonly key: string) {
    super('already_exists', `an object is already stored at ${key}`);
  }
}

/** The body went past the declared size; what was written of it is gone. */
export class TooLarge extends StorageError {
  override name = 'TooLarge';
  constructor(readonly maxBytes: number) {
    super('too_large', `the body is larger than the declared ${maxBytes} bytes`);
  }
}

/** A signed upload URL that is tampered with, for another key/size/type, or expired. */
export class BadSignature extends StorageError {
  override name = 'BadSignature';
  constructor(readonly reason: 'malformed' | 'mismatch' | 'expired') {
    super('bad_signature', `upload signature refused: ${reason}`);
  }
}
