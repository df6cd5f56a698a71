import type { ErrorCode, FieldError } from '@atrium/contracts';

/**
 * An error a client may see. Handlers throw these (`throw new NotFound('interaction')`); the
 * error plugin turns them into problem+json. Anything else that escapes is a 500 and is logged.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class BadRequest extends HttpError {
  constructor(message: string, errors?: FieldError[]) {
    super(400, errors ? 'validation_failed' : 'bad_request', message, errors);
  }
}

export class Unauthorized extends HttpError {
  constructor(message = 'Authentication is required.', code: ErrorCode = 'unauthorized') {
    super(401, code, message, undefined, { 'www-authenticate': 'Bearer' });
  }
}

export class Forbidden extends HttpError {
  constructor(message = 'You do not have permission to do this.') {
    super(403, 'forbidden', message);
  }
}

/** Also the answer for another tenant's resources, so their existence does not leak. */
export class NotFound extends HttpError {
  constructor(resource = 'resource') {
    super(404, 'not_found', `The ${resource} does not exist or is not visible to you.`);
  }
}

export class Conflict extends HttpError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export class PreconditionFailed extends HttpError {
  constructor(message = 'The resource has changed since you read it; fetch it again.') {
    super(412, 'precondition_failed', message);
  }
}

export class TooManyRequests extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      'rate_limited',
      `Too many requests; try again in ${retryAfterSeconds} seconds.`,
      undefined,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

/** A form's captcha token is missing or the provider refused it. */
export class CaptchaFailed extends HttpError {
  constructor(message: string) {
    super(400, 'captcha_failed', `${message} Solve the captcha and submit again.`);
  }
}

/** The Idempotency-Key was already used for a different request body. */
export class IdempotencyKeyReused extends HttpError {
  constructor() {
    super(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different request; use a new key for a new request.',
    );
  }
}

/** An outside service this request depends on did not answer; the client may retry. */
export class ServiceUnavailable extends HttpError {
  constructor(message: string) {
    super(503, 'service_unavailable', message, undefined, { 'retry-after': '30' });
  }
}
