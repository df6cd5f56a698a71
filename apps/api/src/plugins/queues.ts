import type { Config } from '@atrium/config';
import { QueueNames, QueuesDashboard } from '@atrium/contracts';
import fastifyCookie from '@fastify/cookie';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const { path: QUEUES_DASHBOARD_PATH, cookie: QUEUES_COOKIE } = QueuesDashboard;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The API's strict policy (`default-src 'none'`) would blank the dashboard, a React page with its
 * own scripts, inline styles and Google Fonts: like Swagger UI on /docs, it gets a policy of its
 * own, still refusing framing and any script not served from this origin.
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' https://fonts.gstatic.com",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

export interface QueuesPluginOptions {
  config: Config;
  /**
   * Decides who may open the dashboard: resolves to let the request through, throws the API's
   * Unauthorized/Forbidden to refuse. Runs before every dashboard route, its assets included.
   */
  authorize: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Records a dashboard action that changed the queues (the app writes it to the audit log). */
  recordAction: (request: FastifyRequest, action: QueueAction) => Promise<void>;
}

/** A dashboard request that changed something: retry, clean, pause, promote, remove, add… */
export interface QueueAction {
  queue: string | null;
  method: string;
  /** The dashboard's route, e.g. `/api/queues/:queueName/retry/:queueStatus`. */
  route: string;
  jobId?: string;
  status?: string;
}

/**
 * With REDIS_URL: the bull-board dashboard at /admin/queues (failed jobs with their error and
 * attempts, retry, clean) and per-queue job counts in /metrics. Without Redis there is nothing
 * to show: jobs live in the outbox table.
 */
export async function queuesPlugin(
  app: FastifyInstance,
  { config, authorize, recordAction }: QueuesPluginOptions,
) {
  if (!config.redisUrl) return;
  // Loaded only with Redis, like the worker's BullMQ driver.
  const [
    { openQueues, queueCountsCollector },
    { createBullBoard },
    { BullMQAdapter },
    { FastifyAdapter },
  ] = await Promise.all([
    import('@atrium/jobs/bullmq'),
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/fastify'),
  ]);
  const { queues, close } = openQueues(config.redisUrl, config.queuePrefix, QueueNames);
  app.addHook('onClose', close);
  queueCountsCollector(app.metrics, queues);

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUES_DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });

  await app.register(async (dashboard) => {
    // bull-board installs its own error handler for its routes; refusals go through the API's,
    // so they are problem+json like every other 401/403.
    const apiErrorHandler = app.errorHandler;
    // The cookie POST /admin/queues/session sets carries the browser's token here.
    await dashboard.register(fastifyCookie);
    dashboard.addHook('onRequest', async (request, reply) => {
      try {
        const cookie = request.cookies[QUEUES_COOKIE];
        if (!request.headers.authorization && cookie) {
          request.headers.authorization = `Bearer ${cookie}`;
        }
        await authorize(request, reply);
      } catch (error) {
        apiErrorHandler.call(app, error as FastifyError, request, reply);
        return reply;
      }
    });
    // A dashboard action (retry, clean, pause, promote, remove, add…) changes the queues, not the
    // database, so its audit row cannot share a transaction with it: it is written once the
    // action has succeeded, before the answer goes out, and a failure to write it is a 500.
    dashboard.addHook('onSend', async (request, reply, payload) => {
      if (SAFE_METHODS.has(request.method) || reply.statusCode >= 400) return payload;
      const params = request.params as Record<string, string | undefined>;
      await recordAction(request, {
        queue: params.queueName ?? null,
        method: request.method,
        route: (request.routeOptions.url ?? request.url).slice(QUEUES_DASHBOARD_PATH.length),
        ...(params.jobId ? { jobId: params.jobId } : {}),
        ...(params.queueStatus ? { status: params.queueStatus } : {}),
      });
      return payload;
    });
    if (config.cspMode !== 'disabled') {
      dashboard.addHook('onSend', async (_request, reply) => {
        reply.header('content-security-policy', DASHBOARD_CSP);
      });
    }
    // The dashboard's own routes stay out of the public OpenAPI document.
    dashboard.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    await dashboard.register(serverAdapter.registerPlugin(), { prefix: QUEUES_DASHBOARD_PATH });
  });
}
