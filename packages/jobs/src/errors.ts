/**
 * A failure that another attempt cannot fix (the provider rejected the data, the payload breaks
 * its contract). Both drivers stop retrying at once and record the job as failed with this
 * error: BullMQ through its UnrecoverableError, the in-process driver through its outbox row.
 */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export const isPermanent = (error: unknown): boolean => error instanceof PermanentJobError;

/**
 * Not a failure: the job cannot run yet (another worker holds its effect's lease). Both drivers
 * put it back for `retryInMs` without spending one of its attempts.
 */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
  }
}
