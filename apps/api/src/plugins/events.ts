import { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { uuidv7 } from 'uuidv7';

export type LiveEventType = 'message.created' | 'message.read' | 'report.updated';

export interface LiveEvent {
  /** UUIDv7: ids sort by time on every instance, so `Last-Event-ID` resumes anywhere. */
  id: string;
  userId: string;
  type: LiveEventType;
  data: unknown;
  at: number;
}

export interface EventBus {
  /** Call after the transaction commits: a listener may read what the event announces. */
  publish(userId: string, type: LiveEventType, data: unknown): Promise<void>;
  subscribe(userId: string, listener: (event: LiveEvent) => void): () => void;
  /** Buffered events for `userId` newer than `lastEventId`, within the resume window. */
  since(userId: string, lastEventId: string): LiveEvent[];
}

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus;
  }
}

const RESUME_WINDOW_MS = 5 * 60_000;
const BUFFER_PER_USER = 100;

/** A short per-user history so a reconnecting client misses nothing from the last few minutes. */
class RingBuffers {
  private readonly byUser = new Map<string, LiveEvent[]>();

  add(event: LiveEvent) {
    const buffer = this.fresh(event.userId);
    buffer.push(event);
    if (buffer.length > BUFFER_PER_USER) buffer.shift();
    this.byUser.set(event.userId, buffer);
  }

  since(userId: string, lastEventId: string) {
    return this.fresh(userId).filter((event) => event.id > lastEventId);
  }

  prune() {
    for (const userId of this.byUser.keys()) {
      if (this.fresh(userId).length === 0) this.byUser.delete(userId);
    }
  }

  private fresh(userId: string) {
    const cutoff = Date.now() - RESUME_WINDOW_MS;
    return (this.byUser.get(userId) ?? []).filter((event) => event.at >= cutoff);
  }
}

/**
 * Live events for signed-in users. With Redis every instance publishes to one channel and a
 * dedicated subscriber connection (a subscribed ioredis client can do nothing else) delivers
 * each event to the instance's own listeners; without Redis the bus is in-process.
 */
export const eventsPlugin = fp(async (app: FastifyInstance) => {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0); // one listener per open stream
  const buffers = new RingBuffers();
  const deliver = (event: LiveEvent) => {
    buffers.add(event);
    emitter.emit(event.userId, event);
  };
  const channel = `${app.config.queuePrefix}:events`;
  const subscriber = app.redis?.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  if (subscriber) {
    subscriber.on('error', (err) => app.log.warn({ err }, 'live events subscriber error'));
    subscriber.on('message', (_channel, raw: string) => deliver(JSON.parse(raw) as LiveEvent));
    // Redis may be down at start-up (/health reports it): ioredis subscribes once it connects,
    // and start-up waits only briefly so an instance that is up does not miss early events.
    const subscribed = subscriber.subscribe(channel).catch((err) => {
      app.log.warn({ err }, 'cannot subscribe to live events');
    });
    await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
  const pruner = setInterval(() => buffers.prune(), RESUME_WINDOW_MS).unref();
  app.addHook('onClose', async () => {
    clearInterval(pruner);
    subscriber?.disconnect();
  });

  app.decorate('events', {
    async publish(userId, type, data) {
      const event: LiveEvent = { id: uuidv7(), userId, type, data, at: Date.now() };
      if (!app.redis) return deliver(event);
      // A lost event is recovered by the client's next list fetch; it must not fail the request.
      await app.redis.publish(channel, JSON.stringify(event)).catch((err) => {
        app.log.warn({ err }, 'cannot publish a live event');
      });
    },
    subscribe(userId, listener) {
      emitter.on(userId, listener);
      return () => emitter.off(userId, listener);
    },
    since: (userId, lastEventId) => buffers.since(userId, lastEventId),
  } satisfies EventBus);
});
