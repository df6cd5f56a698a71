import { randomUUID } from 'node:crypto';
import { type Config, createLogger, type Logger, requestLogger } from '@atrium/config';
import { LOCAL_UPLOAD_ROUTE } from '@atrium/contracts';
import { createDatabase, type DatabaseHandle } from '@atrium/db';
import { recordAudit } from '@atrium/db/queries';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { Redis } from 'ioredis';
import { auditActor } from './audit-actor.js';
import { auditRoutes } from './modules/audit/routes.js';
import { authRoutes } from './modules/auth/routes.js';
import { contentRoutes } from './modules/content/routes.js';
import { eventRoutes } from './modules/events/routes.js';
import { formRoutes } from './modules/forms/routes.js';
import { healthRoutes } from './modules/health/routes.js';
import { interactionRoutes } from './modules/interactions/routes.js';
import { invitationRoutes } from './modules/invitations/routes.js';
import { leadRoutes } from './modules/leads/routes.js';
import { memberRoutes } from './modules/members/routes.js';
import { messageRoutes } from './modules/messages/routes.js';
import { orgRoutes } from './modules/orgs/routes.js';
import { queueRoutes } from './modules/queues/routes.js';
import { reportRoutes } from './modules/reports/routes.js';
import { roleRoutes } from './modules/roles/routes.js';
import { searchRoutes } from './modules/search/routes.js';
import { uploadRoutes } from './modules/uploads/routes.js';
import { userRoutes } from './modules/users/routes.js';
import { authPlugin } from './plugins/auth/index.js';
import { clientErrorHandler, frameworkErrors } from './plugins/client-errors.js';
import { closedSchemasPlugin } from './plugins/closed-schemas.js';
import { contextPlugin } from './plugins/context.js';
import { docsPlugin } from './plugins/docs/index.js';
import { errorResponsesPlugin } from './plugins/error-responses.js';
import { errorsPlugin } from './plugins/errors.js';
import { eventsPlugin } from './plugins/events.js';
import { metricsPlugin } from './plugins/metrics.js';
import { queuesPlugin } from './plugins/queues.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { securityPlugin } from './plugins/security.js';
import { type StorageOptions, storagePlugin } from './plugins/storage.js';
import { tenancyPlugin } from './plugins/tenancy.js';
import { verifiedEmailPlugin } from './plugins/verified-email.js';

export interface BuildOptions {
  /** A database the caller owns (the all-in-one process shares one with its worker). */
  database?: DatabaseHandle;
  /** The process logger, e.g. one shared with the worker; by default a new one from config. */
  logger?: Logger;
  /** An upload store the caller owns; by default the one STORAGE_DRIVER names. */
  storage?: StorageOptions['storage'];
  /** The clock two-factor codes are checked against (ms since the epoch); tests fix one. */
  clock?: () => number;
}

export const API_PREFIX = '/api/v1';

const REQUEST_ID = /^[\w.-]{1,128}$/;

/**
 * Builds the API: `inject` and `listen` make it ready; until then tests may add routes. Without `options.database` it connects to
 * DATABASE_URL (or embedded PGlite under DATA_DIR), applies pending migrations, and closes the
 * connection with the app.
 */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const ownsDatabase = !options.database;
  const database =
    options.database ??
    (await createDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      poolMax: config.databasePoolMax,
    }));
  if (ownsDatabase) await database.migrate();
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;
  redis?.on('error', () => {}); // reported by /health; requests go on without it

  const app = Fastify({
    loggerInstance: options.logger ?? createLogger(config),
    // Fastify accepts a hop count too; its type omits it.
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    bodyLimit: config.bodyLimit,
    requestIdHeader: false,
    childLoggerFactory: (logger, bindings, options) =>
      requestLogger(logger as Logger, bindings, options as Parameters<typeof requestLogger>[2]),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Unknown fields are refused (400 naming each), not silently dropped: a client that misspells
    // a field learns it, and nothing it did not mean to send reaches a handler.
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    routerOptions: { maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Callback hooks on every request cost no promise.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onClose', async () => {
    redis?.disconnect();
    if (ownsDatabase) await database.close();
  });

  await app.register(closedSchemasPlugin);
  await app.register(contextPlugin, { config, database, redis });
  await app.register(errorsPlugin);
  await app.register(securityPlugin, { config });
  await app.register(rateLimitPlugin, { config, redis });
  await app.register(metricsPlugin, { token: config.metricsToken });
  await app.register(docsPlugin, { config });
  await app.register(errorResponsesPlugin);
  await app.register(authPlugin);
  await app.register(verifiedEmailPlugin);
  await app.register(tenancyPlugin);
  await app.register(eventsPlugin);
  await app.register(storagePlugin, {
    storage: options.storage,
    uploadPath: `${API_PREFIX}${LOCAL_UPLOAD_ROUTE}`,
  });
  // The dashboard is authenticated like the API: a bearer token holding `queues:admin` (browsers
  // carry it in a cookie the API sets on request).
  await app.register(queuesPlugin, {
    config,
    authorize: app.requireAuth({ permission: 'queues:admin' }),
    recordAction: (request, { queue, ...data }) =>
      recordAudit(app.db, {
        ...auditActor(request),
        action: 'admin.queue.action',
        targetType: 'queue',
        targetId: queue,
        data: { ...data },
      }),
  });

  await app.register(healthRoutes);
  await app.register(
    async (api) => {
      // Feature modules register here, one folder each under src/modules.
      await api.register(authRoutes, { clock: options.clock });
      await api.register(userRoutes);
      await api.register(roleRoutes);
      await api.register(orgRoutes);
      await api.register(memberRoutes);
      await api.register(invitationRoutes);
      await api.register(interactionRoutes);
      await api.register(searchRoutes);
      await api.register(messageRoutes);
      await api.register(reportRoutes);
      await api.register(eventRoutes);
      await api.register(contentRoutes);
      await api.register(queueRoutes);
      await api.register(formRoutes);
      await api.register(leadRoutes);
      await api.register(uploadRoutes);
      await api.register(auditRoutes);
    },
    { prefix: API_PREFIX },
  );

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
