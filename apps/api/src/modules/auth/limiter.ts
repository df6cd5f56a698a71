import { createHash } from 'node:crypto';
import type { Config } from '@atrium/config';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { TooManyRequests } from '../../errors.js';

/** One sign-in attempt that passed both budgets; its caller reports a success. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
  /**
   * The budget this attempt spent the last point of, if any: should it fail, that budget is
   * locked from now on (a lockout, audited once, not on every refusal after it).
   */
  exhausted: 'ip' | 'account' | undefined;
}

/**
 * Failed sign-ins, counted twice (rate-limiter-flexible's brute-force pattern). Per (account,
 * client IP): a lock that holds only that pair, so guesses from elsewhere cannot lock the owner
 * out of their own network. Per account, over a longer window: bounds a guess spread over many
 * IPs, and then refuses everyone. With Redis the counters are shared by every instance (under
 * QUEUE_PREFIX, each expiring with its window); should Redis fail, each instance counts in memory.
 */
export class LoginLimiter {
  private readonly perIp: RateLimiterAbstract;
  private readonly perAccount: RateLimiterAbstract;

  constructor(limits: Config['loginFailures'], prefix: string, redis: Redis | undefined) {
    this.perIp = limiter(limits.perIp, `${prefix}:login-failures:ip`, redis);
    this.perAccount = limiter(limits.perAccount, `${prefix}:login-failures:account`, redis);
  }

  /**
   * Takes one attempt from the budgets before the password is checked (atomic, so concurrent
   * guesses cannot overshoot), or throws 429. A refusal by the pair's budget spends nothing of the
   * account's: an attacker already locked out cannot drain the owner's budget. Unknown login names
   * count per (name, IP) only: counting them for a day would let a flood of made-up names fill
   * memory or Redis, and telling them apart takes spending a whole account budget from many IPs
   * (registration answers that in one request).
   */
  async begin(account: { id: string } | undefined, login: string, ip: string) {
    const name = account?.id ?? `unknown:${createHash('sha256').update(login).digest('base64url')}`;
    const pair = `${name}:${ip}`;
    const byIp = await this.perIp.consume(pair).catch(refuse);
    let byAccount: RateLimiterRes | undefined;
    if (account) {
      byAccount = await this.perAccount.consume(account.id).catch(async (error) => {
        await this.perIp.reward(pair).catch(() => {});
        return refuse(error);
      });
    } else {
      // The same round trip as for an account, writing nothing: no timing tells them apart.
      await this.perAccount.get(name);
    }
    const exhausted =
      byAccount?.remainingPoints === 0 ? 'account' : byIp.remainingPoints === 0 ? 'ip' : undefined;
    return {
      exhausted,
      // The owner is back: their pair starts over and a success costs the account nothing.
      succeeded: async () => {
        await Promise.all([
          this.perIp.delete(pair),
          account ? this.perAccount.reward(account.id) : undefined,
        ]);
      },
    } satisfies LoginAttempt;
  }

  /** The owner proved control of the account's email (a password reset): its budget starts over. */
  async forgive(accountId: string): Promise<void> {
    await this.perAccount.delete(accountId);
  }
}

function limiter(
  { max, windowMs }: { max: number; windowMs: number },
  keyPrefix: string,
  redis: Redis | undefined,
): RateLimiterAbstract {
  const options = { points: max, duration: Math.ceil(windowMs / 1000), keyPrefix };
  const memory = new RateLimiterMemory(options);
  if (!redis) return memory;
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}

/** The limiter rejects with its result when a budget is spent, with an Error when it failed. */
function refuse(error: unknown): never {
  if (error instanceof RateLimiterRes) {
    throw new TooManyRequests(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
  }
  throw error;
}

/**
 * A per-IP route limit (`config.rateLimit`), on unless AUTH_RATE_LIMITS=off, which only load
 * tests should set: every client of a load generator shares one IP.
 */
export const perIp = (app: FastifyInstance, max: number, timeWindow: number) =>
  app.config.rateLimit.auth ? { max, timeWindow } : false;
