import type { Readable } from 'node:stream';
import { IntegrationError } from '../errors.js';

export type ScanResult = { clean: true } | { clean: false; signature: string };

export interface Scanner {
  readonly name: string;
  /** Scans the bytes as they stream past; never holds the whole body. */
  scan(body: Readable | AsyncIterable<Buffer>): Promise<ScanResult>;
  /** Resolves when the scanner answers; throws `ScannerUnavailable` when it does not. */
  ping(): Promise<void>;
}

/**
 * The scanner could not be reached or stopped answering. Retryable: the file stays in
 * quarantine and the job tries again later; it is never taken as clean.
 */
export class ScannerUnavailable extends IntegrationError {
  override name = 'ScannerUnavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, false, options);
  }
}

/**
 * clamd answered with an error instead of a verdict. `size_limit` (the stream is longer than
 * clamd's StreamMaxLength) is permanent: the same bytes will be refused again.
 */
export class ScanFailed extends IntegrationError {
  override name = 'ScanFailed';
  constructor(
    readonly code: 'size_limit' | 'scanner_error',
    readonly reply: string,
  ) {
    super(`clamd could not scan the stream: ${reply}`, code === 'size_limit');
  }
}
