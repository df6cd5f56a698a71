/**
 * A failed call to an outside service. `permanent` says another attempt cannot succeed (the
 * provider rejected the data); the worker turns those into permanent job failures.
 */
export class IntegrationError extends Error {
  override name = 'IntegrationError';
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
