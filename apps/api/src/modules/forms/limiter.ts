import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { TooManyRequests } from '../../errors.js';

const HOUR_SECONDS = 3600;

/**
 * Submissions per sender email per hour (FORM_LIMIT_PER_EMAIL), beside the per-IP route limit:
 * a sender rotating IPs still has one budget. Shared by every instance through Redis (keys under
 * QUEUE_PREFIX, expiring with the window), in memory without it or while Redis is down. Keys are
 * hashed so no email address is written to Redis.
 */
export function emailLimiter(points: number, prefix: string, redis: Redis | undefined) {
  const options = { points, duration: HOUR_SECONDS, keyPrefix: `${prefix}:form-email` };
  const memory = new RateLimiterMemory(options);
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({
        ...options,
        storeClient: redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    /** Spends one submission of this email's budget, or throws 429. */
    async consume(normalizedEmail: string) {
      const key = createHash('sha256').update(normalizedEmail).digest('base64url');
      await limiter.consume(key).catch((error: unknown) => {
        if (error instanceof RateLimiterRes) {
          throw new TooManyRequests(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
        }
        throw error;
      });
    },
  };
}
export type EmailLimiter = ReturnType<typeof emailLimiter>;
