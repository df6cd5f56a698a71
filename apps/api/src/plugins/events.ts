import { EventEmitter } from 'node:events';
import type { LiveEventData, LiveEventType } from '@atrium/contracts';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { uuidv7 } from 'uuidv7';

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
  publish<T extends LiveEventType>(userId: string, type: T, data: LiveEventData<T>): Promise<void>;
  subscribe(userId: string, listener: (event: LiveEvent) => void): () => void;
  /** Events for `userId` newer than `lastEventId`, within the resume window, oldest first. */
  since(userId: string, lastEventId: string): Promise<LiveEvent[]>;
  /**
   * Runs `listener` on every instance when a request that called `authChanged` is about to
   * answer. The notice travels on the events' own channel, so every instance gets it before any
   * event published after that answer (a message sent right after a logout).
   */
  onAuthNotice(listener: () => void): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus;
  }
  interface FastifyRequest {
    /** `authChanged` calls counted when the request arrived (-1: not yet seen). */
    authChangesSeen: number;
  }
}

const RESUME_WINDOW_MS = 5 * 60_000;
/** Not JSON of a LiveEvent: an auth change, sent on the same channel as the events. */
const AUTH_NOTICE = 'auth.changed';
const HISTORY_PER_USER = 100;

const newerThan = (events: LiveEvent[], lastEventId: string) => {
  const cutoff = Date.now() - RESUME_WINDOW_MS;
  return events.filter((event) => event.id > lastEventId && event.at >= cutoff);
};

/** Embedded mode: the short per-user history lives in this (the only) process. */
class MemoryHistory {
  private readonly byUser = new Map<string, LiveEvent[]>();

  add(event: LiveEvent) {
    const history = this.byUser.get(event.userId) ?? [];
    history.push(event);
    if (history.length > HISTORY_PER_USER) history.shift();
    this.byUser.set(event.userId, history);
  }

  since(userId: string, lastEventId: string) {
    return newerThan(this.byUser.get(userId) ?? [], lastEventId);
  }

  prune() {
    const cutoff = Date.now() - RESUME_WINDOW_MS;
    for (const [userId, history] of this.byUser) {
      if (history.at(-1)!.at < cutoff) this.byUser.delete(userId);
    }
  }
}

/**
 * With Redis the history is a capped list per user that expires with the resume window, written
 * in the same MULTI as the publish: any instance, even one started after the event, can replay it.
 */
class RedisHistory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key = (userId: string) => `${this.prefix}:history:${userId}`;

  async publish(channel: string, event: LiveEvent) {
    const raw = JSON.stringify(event);
    const key = this.key(event.userId);
    await this.redis
      .multi()
      .lpush(key, raw)
      .ltrim(key, 0, HISTORY_PER_USER - 1)
      .pexpire(key, RESUME_WINDOW_MS)
      .publish(channel, raw)
      .exec();
  }

  async since(userId: string, lastEventId: string) {
    const raws = await this.redis.lrange(this.key(userId), 0, -1);
    const events = raws.map((raw) => JSON.parse(raw) as LiveEvent).reverse();
    return newerThan(events, lastEventId);
  }
}

/**
 * Live events for signed-in users. With Redis every instance publishes to one channel and a
 * dedicated subscriber connection (a subscribed ioredis client can do nothing else) delivers
 * each event to the instance's own listeners; without Redis the bus is in-process.
 */
export const eventsPlugin = fp(
  async (app: FastifyInstance) => {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0); // one listener per open stream
    const deliver = (event: LiveEvent) => emitter.emit(event.userId, event);
    const noticeListeners: (() => void)[] = [];
    const notice = () => {
      for (const listener of noticeListeners) listener();
    };
    const prefix = `${app.config.queuePrefix}:events`;
    const redisHistory = app.redis ? new RedisHistory(app.redis, prefix) : undefined;
    const memoryHistory = app.redis ? undefined : new MemoryHistory();
    const subscriber = app.redis?.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    if (subscriber) {
      subscriber.on('error', (err) => app.log.warn({ err }, 'live events subscriber error'));
      subscriber.on('message', (_channel, raw: string) =>
        raw === AUTH_NOTICE ? notice() : deliver(JSON.parse(raw) as LiveEvent),
      );
      // Redis may be down at start-up (/health reports it): ioredis subscribes once it connects,
      // and start-up waits only briefly so an instance that is up does not miss early events.
      const subscribed = subscriber.subscribe(prefix).catch((err) => {
        app.log.warn({ err }, 'cannot subscribe to live events');
      });
      await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
    const pruner = setInterval(() => memoryHistory?.prune(), RESUME_WINDOW_MS).unref();
    app.addHook('onClose', async () => {
      clearInterval(pruner);
      subscriber?.disconnect();
    });

    announceAuthChanges(app, async () => {
      if (!app.redis) return notice();
      await app.redis.publish(prefix, AUTH_NOTICE).catch((err) => {
        // The PostgreSQL notice still arrives, only without the ordering guarantee.
        app.log.warn({ err }, 'cannot announce an auth change to live events');
      });
    });

    app.decorate('events', {
      async publish(userId, type, data) {
        const event: LiveEvent = { id: uuidv7(), userId, type, data, at: Date.now() };
        if (!redisHistory) {
          memoryHistory!.add(event);
          return void deliver(event);
        }
        // A lost event is recovered by the client's next list fetch; it must not fail the request.
        await redisHistory.publish(prefix, event).catch((err) => {
          app.log.warn({ err }, 'cannot publish a live event');
        });
      },
      subscribe(userId, listener) {
        emitter.on(userId, listener);
        return () => emitter.off(userId, listener);
      },
      async since(userId, lastEventId) {
        if (!redisHistory) return memoryHistory!.since(userId, lastEventId);
        // Without Redis there is nothing to replay; the stream still goes live.
        return redisHistory.since(userId, lastEventId).catch((err) => {
          app.log.warn({ err }, 'cannot read live event history');
          return [];
        });
      },
      onAuthNotice(listener) {
        noticeListeners.push(listener);
      },
    } satisfies EventBus);
  },
  { name: 'events', dependencies: ['context', 'auth'] },
);

/**
 * Calls `announce` before a request that called `authChanged` answers: its transaction has
 * committed by then. Counting calls instead of tracking the request itself may announce for a
 * concurrent request too; an extra notice only costs a re-check.
 */
function announceAuthChanges(app: FastifyInstance, announce: () => Promise<void>) {
  let changes = 0;
  app.onAuthChanged({
    changing: () => {
      changes += 1;
    },
  });
  // A number on the request rather than a WeakMap entry: no ephemeron for the GC per request.
  app.decorateRequest('authChangesSeen', -1);
  // Callback hooks: they run on every request, and most have nothing to wait for.
  app.addHook('onRequest', (request, _reply, done) => {
    request.authChangesSeen = changes;
    done();
  });
  app.addHook('onSend', (request, _reply, payload, done) => {
    const before = request.authChangesSeen;
    if (before === -1 || before === changes) return done(null, payload);
    announce().then(() => done(null, payload), done);
  });
}
