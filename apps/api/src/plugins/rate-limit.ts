import type { Config } from '@atrium/config';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { TooManyRequests } from '../errors.js';

/**
 * A per-IP limit on every route (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS; 0 turns the global
 * limit off). With Redis the counters are shared, so the limit holds across API instances. Routes
 * set tighter limits with `config: { rateLimit: { max, timeWindow, keyGenerator } }`.
 * The key is `request.ip`, which honours TRUST_PROXY; raw X-Forwarded-For is never trusted.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, { config, redis }: { config: Config; redis: Redis | undefined }) => {
    await app.register(rateLimit, {
      global: config.rateLimit.max > 0,
      max: config.rateLimit.max || 1,
      timeWindow: config.rateLimit.windowMs,
      enableDraftSpec: true,
      // Under QUEUE_PREFIX like every key Atrium writes; each counter expires with its window.
      ...(redis ? { redis, nameSpace: `${config.queuePrefix}:rate-limit:` } : {}),
      // A Redis outage must not take the API down with it.
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new TooManyRequests(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  },
  { name: 'rate-limit' },
);
