import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { type ErrorCode, PROBLEM_CONTENT_TYPE, type Problem } from '@atrium/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problem } from './errors.js';

/**
 * Errors Fastify answers before routing, so before any error handler: a path segment longer than
 * `maxParamLength` (414), a malformed percent-encoding (400). Passed as the `frameworkErrors`
 * server option, they leave as problem+json like everything else.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const body =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem(414, 'uri_too_long', 'A path segment of the URL is too long.', {
          requestId: request.id,
        })
      : error.code === 'FST_ERR_BAD_URL'
        ? problem(400, 'bad_request', 'The URL is not validly percent-encoded.', {
            requestId: request.id,
          })
        : problem(500, 'internal_error', `An unexpected error occurred (request ${request.id}).`, {
            requestId: request.id,
          });
  if (body.status >= 500) request.log.error({ err: error }, 'request failed');
  reply.header('x-request-id', request.id);
  return reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

const CLIENT_ERRORS: Record<string, [number, ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'The request line and headers are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'The request took too long to arrive.'],
};

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers over the size limit, a
 * request that never finished, bytes that are not HTTP). There is no request or reply here: the
 * answer is written on the socket, as Fastify's default handler does, but as problem+json.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'bad_request' as const,
    'The request is not valid HTTP.',
  ];
  const requestId = randomUUID();
  const body = JSON.stringify(problem(status, code, detail, { requestId }) satisfies Problem);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${problem(status, code, detail).title}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}
