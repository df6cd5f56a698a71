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

  /**
   * The account's recent failures and the seconds until it may try again (0: it may try now).
   * One round trip; a Redis outage must not lock everyone out, so it counts as no failures.
   */
  async check(key: string): Promise<{ failures: number; retryAfter: number }> {
    if (this.redis) {
      const replies = await this.redis
        .multi()
        .get(this.k(key))
        .pttl(this.k(key))
        .exec()
        .catch(() => null);
      const failures = Number(replies?.[0]?.[1] ?? 0);
      const ttl = Number(replies?.[1]?.[1] ?? 0);
      return {
        failures,
        retryAfter: failures >= this.max ? Math.max(1, Math.ceil(ttl / 1000)) : 0,
      };
    }
    const entry = this.fresh(key);
    const failures = entry?.count ?? 0;
    return {
      failures,
      retryAfter:
        entry && failures >= this.max ? Math.ceil((entry.resetAt - Date.now()) / 1000) : 0,
    };
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
