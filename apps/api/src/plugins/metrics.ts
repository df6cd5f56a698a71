import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { Unauthorized } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry: modules and the job layer add their metrics to it. */
    metrics: Registry;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * A check of `Authorization: Bearer <token>` that takes as long for a near miss as for a far one:
 * both sides are hashed to one length, then compared in constant time.
 */
function bearerCheck(token: string) {
  const expected = digest(`Bearer ${token}`);
  return (request: FastifyRequest) => {
    const given = request.headers.authorization ?? '';
    if (!timingSafeEqual(digest(given), expected))
      throw new Unauthorized('GET /metrics needs the metrics token as a bearer token.');
  };
}

/**
 * Prometheus metrics at GET /metrics: process defaults plus request latency by route. With a
 * token, scrapers must send it; without one, /metrics is open and belongs off the public network.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, { token }: { token?: string }) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'atrium_' });
    const duration = new Histogram({
      name: 'atrium_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    app.decorate('metrics', registry);

    // A callback hook: it runs on every request and has nothing to wait for.
    app.addHook('onResponse', (request, reply, done) => {
      // The route template, not the raw URL, keeps label cardinality bounded.
      const route = request.routeOptions.url ?? 'unmatched';
      if (route !== '/metrics') {
        duration.observe(
          { method: request.method, route, status_code: reply.statusCode },
          reply.elapsedTime / 1000,
        );
      }
      done();
    });

    const authorize = token ? bearerCheck(token) : undefined;
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      authorize?.(request);
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics' },
);
