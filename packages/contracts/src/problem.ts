import { type Static, Type } from 'typebox';

/**
 * Stable, machine-readable error codes. Clients switch on `code`, never on `title` or `detail`.
 * Modules add their codes here so the whole catalogue stays in one place.
 */
export const ErrorCodes = [
  'bad_request',
  'validation_failed',
  'malformed_json',
  'unsupported_media_type',
  'unauthorized',
  'invalid_credentials',
  'invalid_token',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'precondition_failed',
  'payload_too_large',
  'uri_too_long',
  'headers_too_large',
  'request_timeout',
  'rate_limited',
  'captcha_failed',
  'idempotency_key_reused',
  'refresh_token_reused',
  'email_not_verified',
  'password_reset_required',
  'reauthentication_required',
  'mfa_enrollment_required',
  'service_unavailable',
  'internal_error',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

export const FieldError = Type.Object({
  path: Type.String({ description: 'JSON pointer to the offending field, e.g. `/email`' }),
  message: Type.String(),
});
export type FieldError = Static<typeof FieldError>;

/** RFC 9457 problem details, served as `application/problem+json`. */
export const Problem = Type.Object(
  {
    type: Type.String({
      description: 'URI identifying the problem type (urn:atrium:problem:<code>)',
    }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: Type.String({ description: `One of: ${ErrorCodes.join(', ')}` }),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldError)),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof Problem>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A URN per code: stable and unique, without claiming a web address the project may not own. */
export const problemType = (code: string) => `urn:atrium:problem:${code.replace(/_/g, '-')}`;
