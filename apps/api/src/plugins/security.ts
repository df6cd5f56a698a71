import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '@atrium/config';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { BadRequest, Forbidden } from '../errors.js';

/**
 * CSP modes. `strict` suits a JSON API: nothing may load, nothing may frame it (Swagger UI sets
 * its own hashed policy on /docs). `relaxed` is helmet's default policy for apps that serve pages
 * from this origin. `disabled` sends no CSP, for a proxy that sets its own.
 */
const CSP = {
  strict: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  },
  relaxed: { useDefaults: true },
  disabled: false,
} as const;

/**
 * Helmet's headers, worked out once. They depend on the options alone, not on the request;
 * @fastify/helmet instead rebuilds helmet (re-parsing the CSP) on every request, which cost ~8 %
 * of a cached read's CPU. Routes that need another policy (the docs pages) set their own header,
 * which replaces this one.
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * Answers the preflights CORS refuses as problems, before @fastify/cors sees them: left to it, a
 * preflight with no CORS_ORIGINS was a bare 404, one from an unlisted origin a 204 without
 * headers, and an OPTIONS without the preflight headers a text/plain 400. A browser fails the
 * preflight either way; a developer reading the response now learns why.
 */
function preflightGuard(corsOrigins: Config['corsOrigins']) {
  const allowed = (origin: string) => corsOrigins === '*' || corsOrigins.includes(origin);
  return async (request: FastifyRequest) => {
    if (request.method !== 'OPTIONS') return;
    const origin = request.headers.origin;
    if (origin === undefined || request.headers['access-control-request-method'] === undefined) {
      // Without CORS there is no OPTIONS route: the not-found problem says so.
      if (corsOrigins.length === 0) return;
      throw new BadRequest(
        'OPTIONS is answered only as a CORS preflight, with Origin and Access-Control-Request-Method.',
      );
    }
    if (!allowed(origin))
      throw new Forbidden(`This API does not accept cross-origin requests from ${origin}.`);
  };
}

export const securityPlugin = fp(
  async (app: FastifyInstance, { config }: { config: Config }) => {
    const headers = helmetHeaders({
      contentSecurityPolicy: CSP[config.cspMode],
      // The API serves no cross-origin-embeddable documents; CORS governs who may read it.
      crossOriginResourcePolicy: { policy: 'same-site' },
    });
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
    const guard = preflightGuard(config.corsOrigins);
    // A callback hook: the other methods, nearly every request, pass without a promise.
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.method !== 'OPTIONS') return done();
      guard(request).then(() => done(), done);
    });
    // Without CORS_ORIGINS there is nothing for @fastify/cors to do, and it would still run on
    // every request (two route-option objects, an options spread, a callback: ~2 % of a cached
    // read by id); an OPTIONS request then finds no route, the same 404 problem its route gave.
    if (config.corsOrigins.length === 0) return;
    await app.register(cors, {
      origin: config.corsOrigins === '*' ? true : config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'idempotency-key',
        'if-match',
        'last-event-id',
        // An upload's own token: website visitors read their upload's status with it.
        'x-upload-token',
      ],
      exposedHeaders: [
        'etag',
        'location',
        'retry-after',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
        'x-request-id',
      ],
      maxAge: 600,
    });
  },
  { name: 'security' },
);
