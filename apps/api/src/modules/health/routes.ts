import { Health, Liveness } from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import { documented } from '../../openapi.js';

const PING_TIMEOUT_MS = 1000;

async function pingRedis(redis: Redis | undefined) {
  if (!redis) return 'disabled' as const;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, PING_TIMEOUT_MS, 'timeout');
  });
  // The client fails fast while disconnected, so a probe right after start waits for `ready`.
  const ready =
    redis.status === 'ready'
      ? Promise.resolve()
      : new Promise((resolve) => redis.once('ready', resolve));
  try {
    const answer = await Promise.race([ready.then(() => redis.ping()), timeout]);
    return answer === 'PONG' ? ('up' as const) : ('down' as const);
  } catch {
    return 'down' as const;
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const noLimit = { rateLimit: false } as const;

  app.get(
    '/health',
    {
      config: noLimit,
      schema: {
        operationId: 'health.get',
        tags: ['operations'],
        summary: 'Readiness: the database and Redis answer (503 when the database does not)',
        response: {
          200: documented(Health, {
            description: 'Ready: the database answers (`status` is `degraded` when Redis does not)',
          }),
          503: documented(Health, { description: 'Not ready: the database does not answer' }),
        },
      },
    },
    async (_request, reply) => {
      const [databaseUp, redis] = await Promise.all([
        app.database.ping(PING_TIMEOUT_MS),
        pingRedis(app.redis),
      ]);
      const database = databaseUp ? ('up' as const) : ('down' as const);
      const status = !databaseUp ? 'down' : redis === 'down' ? 'degraded' : 'ok';
      reply.header('cache-control', 'no-store');
      return reply.status(databaseUp ? 200 : 503).send({
        status,
        version: app.config.version,
        environment: app.config.env,
        database,
        redis,
        timestamp: new Date().toISOString(),
      });
    },
  );

  app.get(
    '/health/live',
    {
      config: noLimit,
      schema: {
        operationId: 'health.live',
        tags: ['operations'],
        summary: 'Liveness: the process is serving requests',
        response: { 200: documented(Liveness, { description: 'Alive' }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
};
