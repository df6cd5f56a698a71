import { PROBLEM_CONTENT_TYPE, Problem } from '@atrium/contracts';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { RETRY_AFTER_HEADER } from '../openapi.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Error statuses a route answers beyond those its schema and access imply (422, 503…). */
    errors?: number[];
  }
}

/** What each error status means on any route; a route may declare its own text instead. */
const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid (`validation_failed` lists each field in `errors`)',
  401: 'No valid access token (`unauthorized`, `invalid_token`)',
  403: 'The caller lacks the permission or org role this needs (`forbidden`), a confirmed email address (`email_not_verified`), two-factor sign-in (`mfa_enrollment_required`), or a recent sign-in (`reauthentication_required`)',
  404: 'No such resource, or not one the caller may see (`not_found`)',
  409: 'The change conflicts with the current state (`conflict`): a value taken, the last owner',
  412: 'The `If-Match` version is not the current one (`precondition_failed`): read it again',
  413: 'The body is larger than the server accepts (`payload_too_large`)',
  415: 'The body is not JSON (`unsupported_media_type`)',
  422: 'The Idempotency-Key was used for a different body (`idempotency_key_reused`)',
  429: 'Too many requests (`rate_limited`); `Retry-After` says when to retry',
  500: 'A bug on the server (`internal_error`); the request id identifies it in the logs',
  503: 'A service this needs did not answer (`service_unavailable`); `Retry-After` says when to retry',
};

const problem = (status: number) => ({
  description: DESCRIPTIONS[status],
  ...(status === 429 || status === 503 ? { headers: RETRY_AFTER_HEADER } : {}),
  content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } },
});

/** The error statuses a route can answer, from what it declares: its inputs and its access. */
function errorStatuses(route: RouteOptions): number[] {
  const schema = route.schema ?? {};
  const config = (route.config ?? {}) as Record<string, unknown>;
  const guarded = Boolean(config.auth || config.permission || config.superuser || config.org);
  const statuses = [429, 500];
  if (schema.body || schema.querystring || schema.params || schema.headers) statuses.push(400);
  if (schema.body) statuses.push(413, 415);
  if (guarded) statuses.push(401);
  if (
    config.permission ||
    config.superuser ||
    config.org ||
    config.verifiedEmail ||
    config.reauth
  ) {
    statuses.push(403);
  }
  if (schema.params || config.org) statuses.push(404);
  if (Array.isArray(config.errors)) statuses.push(...config.errors);
  return [...new Set(statuses)].sort();
}

/**
 * Every route's error answers, documented from the one Problem schema (every route is rate
 * limited and may fail; the rest follows from the route's schema and access config), so OpenAPI
 * clients get typed errors without each route listing them. A status a route declares itself wins.
 */
export const errorResponsesPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      if (!route.schema || route.schema.hide) return;
      const declared = (route.schema.response ?? {}) as Record<string, unknown>;
      const errors = Object.fromEntries(
        errorStatuses(route)
          .filter((status) => !(status in declared))
          .map((status) => [status, problem(status)]),
      );
      route.schema = { ...route.schema, response: { ...errors, ...declared } };
    });
  },
  { name: 'error-responses' },
);
