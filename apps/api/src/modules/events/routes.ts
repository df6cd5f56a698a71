import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HttpError } from '../../errors.js';
import { streamed } from '../../openapi.js';
import { StreamRegistry } from './registry.js';
import { watchSessions } from './service.js';
import { LiveStream, type StreamOwner } from './stream.js';

const tooManyStreams = () =>
  new HttpError(
    429,
    'rate_limited',
    'Too many live-event streams are open; close one (or wait) and try again.',
    undefined,
    { 'retry-after': '30' },
  );

/** The auth hook has verified the bearer token; its `exp` is when the stream must end. */
function ownerOf(app: Pick<FastifyInstance, 'jwt' | 'config'>, request: FastifyRequest) {
  const token = request.headers.authorization?.replace(/^Bearer /i, '') ?? '';
  const { exp } = app.jwt.decode<{ exp?: number }>(token) ?? {};
  const expiresAt = exp
    ? exp * 1000
    : Date.now() + app.config.sessions.accessTokenTtlSeconds * 1000;
  return {
    userId: request.me().id,
    sessionId: request.session?.id,
    expiresAt,
  } satisfies StreamOwner;
}

/**
 * `GET /events`: Server-Sent Events for the signed-in user. Authenticated by the bearer header
 * like every route; browsers use a fetch-based EventSource (e.g. @microsoft/fetch-event-source),
 * since the native one cannot set headers. A reconnect with `Last-Event-ID` first replays the
 * user's recent events after that id (from Redis, so on any instance), then goes live. A stream
 * lives no longer than its access token and its session (see stream.ts for the last event).
 */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const registry = new StreamRegistry(app.config.sse);
  const sessions = watchSessions(app, registry);
  // Streams never go idle: end them so shutdown is not held up by connected clients.
  app.addHook('preClose', async () => {
    for (const stream of [...registry]) stream.end();
  });

  app.get(
    '/events',
    {
      config: { auth: true, rateLimit: false },
      schema: {
        operationId: 'events.stream',
        tags: ['events'],
        summary: 'Live events: message.created, message.read, report.updated',
        description:
          'A text/event-stream with a comment heartbeat every 15 s. Send `Last-Event-ID` to resume. ' +
          'The stream ends when the access token expires (last event `session.expired`: refresh ' +
          'and reconnect) or the session ends (`session.ended`). At most `SSE_MAX_PER_USER` ' +
          'streams per user and `SSE_MAX_CONNECTIONS` in all per instance; past that, 429.',
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 64 })) }),
        response: {
          200: streamed(
            'text/event-stream',
            'The event stream: `id`, `event` (the type) and `data` (JSON) per event, until the session or token ends',
          ),
        },
      },
    },
    async (request, reply) => {
      const startedAt = Date.now() - reply.elapsedTime;
      const owner = ownerOf(app, request);
      const lastEventId = request.headers['last-event-id'] ?? '';
      const stream = new LiveStream(reply.raw, owner, lastEventId);
      if (!registry.admit(stream)) throw tooManyStreams();
      reply.hijack();
      stream.open(request.id);
      // Live events that arrive while the history is read wait, so the replay goes out first.
      stream.hold();
      stream.whenEnded(app.events.subscribe(owner.userId, (event) => stream.send(event)));
      // A change notice during authentication may have swept before this stream was admitted.
      if (sessions.changedSince(startedAt)) sessions.recheck();
      const missed = lastEventId ? await app.events.since(owner.userId, lastEventId) : [];
      stream.release(missed);
    },
  );
};
