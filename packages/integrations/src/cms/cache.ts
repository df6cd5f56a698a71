import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The cache of rendered content responses and its invalidation. Every write and every sync bumps
 * a generation; a cached response is valid only for the generation it was rendered in, so an
 * invalidation is one atomic counter increment, whatever was cached.
 *
 * With Redis the generation is a key under QUEUE_PREFIX that every API instance and worker shares,
 * rendered responses are stored there too (any instance renders a response once per generation),
 * and a pub/sub message tells every instance the new generation, so a read whose answer is in
 * this process's memory costs no round trip. While the subscription is down, every read asks
 * Redis for the generation instead. Without Redis (embedded: API and worker in one process) the
 * generation is this process's own counter.
 */

const BUMP = `local g = redis.call('INCR', KEYS[1]); redis.call('PUBLISH', ARGV[1], g); return g`;

const keysOf = (prefix: string) => ({
  generation: `${prefix}:content:generation`,
  channel: `${prefix}:content:changed`,
  entry: (generation: number, key: string) => `${prefix}:content:${generation}:${key}`,
});

// The embedded generation, shared by everything in this process that serves or changes content.
let localGeneration = 0;

/**
 * Marks all cached content stale: on every instance with `redis`, in this process without. Call
 * after the change has committed (a read between commit and bump at worst caches the new data).
 */
export async function bumpContentGeneration(redis: Redis | undefined, prefix: string) {
  if (!redis) return ++localGeneration;
  const { generation, channel } = keysOf(prefix);
  return Number(await redis.eval(BUMP, 1, generation, channel));
}

/** The current generation (what a cached response must have been rendered in to be served). */
export async function contentGeneration(redis: Redis | undefined, prefix: string) {
  if (!redis) return localGeneration;
  return Number((await redis.get(keysOf(prefix).generation)) ?? 0);
}

export interface CachedResponse {
  /** The serialized JSON body. */
  body: string;
  /** Its strong entity tag, quoted. */
  etag: string;
}

export const entityTag = (body: string) =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

export interface ContentCacheOptions {
  redis: Redis | undefined;
  prefix: string;
  /** How long Redis keeps a rendered response (older generations' entries expire unread). */
  ttlSeconds: number;
  /** Responses kept in this process; the oldest go first. */
  maxEntries?: number;
  onError?: (err: unknown) => void;
}

interface Entry extends CachedResponse {
  generation: number;
}

export class ContentCache {
  private readonly memory = new Map<string, Entry>();
  private readonly keys: ReturnType<typeof keysOf>;
  private readonly subscriber: Redis | undefined;
  /** The generation the subscription last told (Redis), trusted only while `listening`. */
  private generation = 0;
  private listening = false;

  constructor(private readonly options: ContentCacheOptions) {
    this.keys = keysOf(options.prefix);
    if (options.redis) this.subscriber = this.subscribe(options.redis);
  }

  /** The cached response for `key`, rendering (and storing) it when this generation has none. */
  async get(key: string, render: () => Promise<string>): Promise<CachedResponse> {
    const generation = await this.currentGeneration();
    if (generation === undefined) return withTag(await render());
    const held = this.memory.get(key);
    if (held?.generation === generation) return held;
    const shared = await this.fromRedis(generation, key);
    if (shared) return this.remember(key, { ...shared, generation });
    const rendered = withTag(await render());
    this.toRedis(generation, key, rendered);
    return this.remember(key, { ...rendered, generation });
  }

  /**
   * After a write has committed: stale everywhere, and at once in this process. Should Redis be
   * unreachable, the write still stands: this instance stops trusting its memory and bumps again
   * every second until Redis takes it (other instances cannot trust theirs meanwhile either: their
   * subscriptions are down too).
   */
  async invalidate() {
    this.memory.clear();
    try {
      await this.bump();
    } catch (err) {
      this.options.onError?.(err);
      this.listening = false;
      this.retryBump();
    }
  }

  async close() {
    clearInterval(this.retry);
    this.retry = undefined;
    this.subscriber?.disconnect();
  }

  private retry: NodeJS.Timeout | undefined;

  private async bump() {
    const generation = await bumpContentGeneration(this.options.redis, this.options.prefix);
    if (this.options.redis) this.generation = Math.max(this.generation, generation);
  }

  private retryBump() {
    if (this.retry) return;
    this.retry = setInterval(() => {
      this.bump()
        .then(() => {
          clearInterval(this.retry);
          this.retry = undefined;
          this.memory.clear();
        })
        .catch(() => {});
    }, 1000);
    this.retry.unref();
  }

  private subscribe(redis: Redis) {
    const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on('error', (err) => this.options.onError?.(err));
    subscriber.on('close', () => {
      this.listening = false;
    });
    subscriber.on('message', (_channel, message) => {
      const generation = Number(message);
      if (generation > this.generation) {
        this.generation = generation;
        this.memory.clear();
      }
    });
    // On every (re)connection: messages may have been missed, so read the generation again.
    subscriber.on('ready', () => {
      subscriber
        .subscribe(this.keys.channel)
        .then(() => redis.get(this.keys.generation))
        .then((value) => {
          this.generation = Math.max(this.generation, Number(value ?? 0));
          this.listening = true;
        })
        .catch((err: unknown) => this.options.onError?.(err));
    });
    return subscriber;
  }

  /** undefined: Redis cannot say, so nothing cached may be trusted (render from the database). */
  private async currentGeneration(): Promise<number | undefined> {
    const { redis } = this.options;
    if (!redis) return localGeneration;
    if (this.listening) return this.generation;
    try {
      return await contentGeneration(redis, this.options.prefix);
    } catch (err) {
      this.options.onError?.(err);
      return undefined;
    }
  }

  private async fromRedis(generation: number, key: string) {
    if (!this.options.redis) return undefined;
    try {
      const stored = await this.options.redis.get(this.keys.entry(generation, key));
      return stored ? (JSON.parse(stored) as CachedResponse) : undefined;
    } catch (err) {
      this.options.onError?.(err);
      return undefined;
    }
  }

  private toRedis(generation: number, key: string, response: CachedResponse) {
    this.options.redis
      ?.set(
        this.keys.entry(generation, key),
        JSON.stringify(response),
        'EX',
        this.options.ttlSeconds,
      )
      .catch((err: unknown) => this.options.onError?.(err));
  }

  private remember(key: string, entry: Entry) {
    this.memory.delete(key);
    this.memory.set(key, entry);
    if (this.memory.size > (this.options.maxEntries ?? 1000)) {
      this.memory.delete(this.memory.keys().next().value!);
    }
    return entry;
  }
}

const withTag = (body: string): CachedResponse => ({ body, etag: entityTag(body) });
