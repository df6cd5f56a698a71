import {
  type ErrorCode,
  type FieldError,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  problemType,
} from '@atrium/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Codes for the errors Fastify itself raises before a handler runs. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

export function problem(
  status: number,
  code: ErrorCode,
  detail: string,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

function toProblem(error: FastifyError | HttpError, requestId: string): Problem {
  if (error instanceof HttpError) {
    return problem(error.statusCode, error.code, error.message, {
      requestId,
      ...(error.errors ? { errors: error.errors } : {}),
    });
  }
  if (error.validation) {
    const errors = error.validation.map((issue): FieldError => {
      const { missingProperty: missing, additionalProperty: unknown } = issue.params as {
        missingProperty?: string;
        additionalProperty?: string;
      };
      const field = missing ?? unknown;
      const path = `/${error.validationContext ?? 'body'}${issue.instancePath}${field ? `/${field}` : ''}`;
      const message = missing
        ? 'is required'
        : unknown
          ? 'is not an accepted field'
          : issue.message;
      return { path, message: message ?? 'is invalid' };
    });
    const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return problem(400, 'validation_failed', `The request is invalid: ${detail}.`, {
      requestId,
      errors,
    });
  }
  const constraint = constraintProblem(sqlState(error));
  if (constraint)
    return problem(constraint.status, constraint.code, constraint.detail, { requestId });
  if (sqlState(error)?.startsWith('22')) {
    return problem(
      400,
      'bad_request',
      'The request contains a value that cannot be stored or compared (for example a NUL character).',
      { requestId },
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = FASTIFY_CODES[error.code] ?? STATUS_CODES[status] ?? 'bad_request';
    const detail =
      code === 'malformed_json' ? 'The request body is not valid JSON.' : error.message;
    return problem(status, code, detail, { requestId });
  }
  if (status === 503) {
    return problem(503, 'service_unavailable', 'The service is temporarily unavailable.', {
      requestId,
    });
  }
  return problem(500, 'internal_error', `An unexpected error occurred (request ${requestId}).`, {
    requestId,
  });
}

/**
 * The SQLSTATE of a database error in class 22 or 23, from postgres.js or PGlite, bare or wrapped
 * by Drizzle (`cause`). Class 22 "data exception" (a NUL byte in text, an out-of-range value…)
 * means the input was bad, not the server: a safety net under the schemas, answered as 400.
 */
function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e && depth < 5; depth++) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return code;
    e = cause;
  }
  return undefined;
}

const CONFLICT = { status: 409, code: 'conflict' } as const;
const INVALID = { status: 400, code: 'bad_request' } as const;

/**
 * Class 23, integrity constraint violations: the request collided with data or broke a rule the
 * schema cannot see. A module that expects one answers it more precisely itself; this is the net
 * under all of them, so none becomes a 500. The detail names no constraint or value.
 */
const CONSTRAINTS: Record<string, { status: 400 | 409; code: ErrorCode; detail: string }> = {
  '23505': { ...CONFLICT, detail: 'A value that must be unique is already taken.' },
  '23P01': { ...CONFLICT, detail: 'It overlaps with something that already exists.' },
  '23503': {
    ...CONFLICT,
    detail: 'It refers to something that does not exist, or something still refers to it.',
  },
  '23001': { ...CONFLICT, detail: 'Something still refers to it.' },
  '23502': { ...INVALID, detail: 'A required value is missing.' },
  '23514': { ...INVALID, detail: 'A value is outside what is allowed.' },
};

function constraintProblem(state: string | undefined) {
  if (!state?.startsWith('23')) return undefined;
  return CONSTRAINTS[state] ?? { ...CONFLICT, detail: 'The request conflicts with existing data.' };
}

function sendProblem(reply: FastifyReply, body: Problem) {
  return reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** Every error, and every unknown route, leaves as RFC 9457 problem+json; no internals leak. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | HttpError, request: FastifyRequest, reply) => {
      const body = toProblem(error, request.id);
      // The logger's err serializer keeps a failed query's values out of the line.
      if (body.status >= 500) request.log.error({ err: error }, 'request failed');
      else if (constraintProblem(sqlState(error)))
        request.log.warn({ err: error }, 'constraint violation answered as a client error');
      if (error instanceof HttpError && error.headers) reply.headers(error.headers);
      return sendProblem(reply, body);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        problem(
          404,
          'not_found',
          `No route matches ${request.method} ${request.url.split('?')[0]}.`,
          {
            requestId: request.id,
          },
        ),
      ),
    );
  },
  { name: 'errors' },
);
