import type { Config } from '@atrium/config';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

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

export const securityPlugin = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  await app.register(helmet, {
    contentSecurityPolicy: CSP[config.cspMode],
    // The API serves no cross-origin-embeddable documents; CORS governs who may read it.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin:
      config.corsOrigins === '*' ? true : config.corsOrigins.length ? config.corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'idempotency-key',
      'if-match',
      'last-event-id',
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
});
