import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

/**
 * Counts failed logins per account (e.g. 10 per 15 minutes), so a password cannot be guessed
 * from many IPs at once. Shared through Redis when configured, else kept per process.
 */
export class FailureLimiter {
  private readonly local = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly redis: Redis | undefined,
  ) {}

  /** Seconds until the account may try again, or 0 when it may try now. */
  async retryAfter(key: string): Promise<number> {
    if (this.redis) {
      try {
        const [count, ttl] = await Promise.all([
          this.redis.get(this.k(key)),
          this.redis.pttl(this.k(key)),
        ]);
        return Number(count ?? 0) >= this.max ? Math.max(1, Math.ceil(ttl / 1000)) : 0;
      } catch {
        return 0; // a Redis outage must not lock everyone out
      }
    }
    const entry = this.fresh(key);
    return entry && entry.count >= this.max ? Math.ceil((entry.resetAt - Date.now()) / 1000) : 0;
  }

  async fail(key: string): Promise<void> {
    if (this.redis) {
      await this.redis
        .multi()
        .incr(this.k(key))
        .pexpire(this.k(key), this.windowMs, 'NX')
        .exec()
        .catch(() => {});
      return;
    }
    // Bounded memory under a flood of distinct names: starting over only loosens the limit.
    if (this.local.size > 100_000) this.local.clear();
    const entry = this.fresh(key) ?? { count: 0, resetAt: Date.now() + this.windowMs };
    entry.count += 1;
    this.local.set(key, entry);
  }

  async reset(key: string): Promise<void> {
    this.local.delete(key);
    await this.redis?.del(this.k(key)).catch(() => {});
  }

  private fresh(key: string) {
    const entry = this.local.get(key);
    if (entry && entry.resetAt <= Date.now()) this.local.delete(key);
    return entry && entry.resetAt > Date.now() ? entry : undefined;
  }

  private k(key: string) {
    return `atrium:login-failures:${key}`;
  }
}

/**
 * A per-IP route limit (`config.rateLimit`), on unless AUTH_RATE_LIMITS=off, which only load
 * tests should set: every client of a load generator shares one IP.
 */
export const perIp = (app: FastifyInstance, max: number, timeWindow: number) =>
  app.config.rateLimit.auth ? { max, timeWindow } : false;
