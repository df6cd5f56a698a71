import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { LiveEvent } from '../../plugins/events.js';

const HEARTBEAT_MS = 15_000;

/** One user may hold many streams (tabs, devices): serialize each event once, not per stream. */
const frames = new WeakMap<LiveEvent, string>();
const frame = (event: LiveEvent) => {
  let text = frames.get(event);
  if (text === undefined) {
    text = `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    frames.set(event, text);
  }
  return text;
};

/**
 * `GET /events`: Server-Sent Events for the signed-in user. Authenticated by the bearer header
 * like every route; browsers use a fetch-based EventSource (e.g. @microsoft/fetch-event-source),
 * since the native one cannot set headers. A reconnect with `Last-Event-ID` first replays the
 * user's recent events after that id (from Redis, so on any instance), then goes live.
 */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const open = new Set<ServerResponse>();
  // Streams never go idle: end them so shutdown is not held up by connected clients.
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });

  app.get(
    '/events',
    {
      config: { auth: true, rateLimit: false },
      schema: {
        tags: ['events'],
        summary: 'Live events: message.created, message.read, report.updated',
        description:
          'A text/event-stream with a comment heartbeat every 15 s. Send `Last-Event-ID` to resume.',
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 64 })) }),
      },
    },
    async (request, reply) => {
      const userId = request.user!.id;
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // proxies must not buffer the stream
        'x-request-id': request.id,
      });
      raw.write('retry: 3000\n\n');
      let lastSent = request.headers['last-event-id'] ?? '';
      const write = (event: LiveEvent) => {
        // Replay and live delivery may overlap; ids are ordered, so send each once.
        if (event.id <= lastSent) return;
        lastSent = event.id;
        raw.write(frame(event));
      };
      // Live events that arrive while the history is read wait, so the replay goes out first.
      let waiting: LiveEvent[] | undefined = lastSent ? [] : undefined;
      const unsubscribe = app.events.subscribe(userId, (event) =>
        waiting ? waiting.push(event) : write(event),
      );
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
      open.add(raw);
      raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(raw);
      });
      if (waiting) {
        for (const event of await app.events.since(userId, lastSent)) write(event);
        for (const event of waiting) write(event);
        waiting = undefined;
      }
    },
  );
};
