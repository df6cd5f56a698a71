import type { Config } from './load.js';

/** How long a start-up check waits for the database or Redis to answer. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * A URL as a start-up message may show it: scheme, user, host, port (the default one filled in)
 * and path. The password is replaced by `***` and the query dropped, which may carry one too
 * (`?password=…`, `?sslpassword=…`).
 */
export function describeUrl(url: string, defaultPort: number): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(an unparseable URL)';
  }
  const user = parsed.username ? `${parsed.username}${parsed.password ? ':***' : ''}@` : '';
  const password = !parsed.username && parsed.password ? ':***@' : '';
  const path = parsed.pathname === '/' ? '' : parsed.pathname;
  return `${parsed.protocol}//${user}${password}${parsed.hostname}:${parsed.port || defaultPort}${path}`;
}

type Failure = { code?: unknown; message?: unknown; errors?: unknown };

/**
 * Why a connection failed, in a few words: the system or driver code (ECONNREFUSED, ENOTFOUND,
 * CONNECT_TIMEOUT…), and a server's own message (`password authentication failed for user "x"`,
 * `WRONGPASS …`), which names no secret. Never the URL the drivers repeat in theirs.
 */
export function failureReason(error: unknown): string {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as Failure;
  // Node reports a host with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError.
  const first = Array.isArray(failure.errors) ? (failure.errors[0] as Failure) : undefined;
  const code = failure.code ?? first?.code;
  const message = typeof failure.message === 'string' ? failure.message : '';
  // A server's refusal (SQLSTATE, or a Redis error reply) says why; a socket error's message only
  // repeats the code and the address.
  const fromServer =
    (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E')) ||
    /^(WRONGPASS|NOAUTH|NOPERM|ERR|LOADING)\b/.test(message);
  if (typeof code === 'string' && fromServer) return `${code} ${message}`;
  if (fromServer) return message;
  if (typeof code === 'string') return code;
  return message || 'no answer';
}

async function checkPostgres(url: string): Promise<string | undefined> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(url, {
    max: 1,
    connect_timeout: CONNECT_TIMEOUT_MS / 1000,
    onnotice: () => {},
    connection: { application_name: 'atrium-preflight' },
  });
  try {
    await sql`select 1`;
    return undefined;
  } catch (error) {
    return failureReason(error);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function checkRedis(url: string): Promise<string | undefined> {
  const ioredis = await import('ioredis');
  // In the bundle a CommonJS module loaded with import() arrives as `default` only (build.mjs).
  const Redis = ioredis.Redis ?? ioredis.default;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let reported: unknown;
  // Connection errors are reported below, once, instead of as ioredis's unhandled error events.
  redis.on('error', (error) => {
    reported ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return failureReason(reported ?? error);
  } finally {
    redis.disconnect();
  }
}

/**
 * Checks at start-up that the database and Redis the configuration names answer, so that an
 * expected outage (a server still starting, a wrong host or password) stops the process with one
 * line per service naming the variable and the target, e.g. `DATABASE_URL: cannot connect to
 * postgres://atrium:***@db:5432/atrium (ECONNREFUSED)`, instead of the stack traces of every
 * client that tries to connect. Returns those lines; none when both answer (or are not set).
 */
export async function checkServices(
  config: Pick<Config, 'databaseUrl' | 'redisUrl'>,
): Promise<string[]> {
  const checks = [
    config.databaseUrl &&
      checkPostgres(config.databaseUrl).then(
        (reason) =>
          reason &&
          `DATABASE_URL: cannot connect to ${describeUrl(config.databaseUrl!, 5432)} (${reason})`,
      ),
    config.redisUrl &&
      checkRedis(config.redisUrl).then(
        (reason) =>
          reason &&
          `REDIS_URL: cannot connect to ${describeUrl(config.redisUrl!, 6379)} (${reason})`,
      ),
  ];
  const lines = await Promise.all(checks);
  return lines.filter((line): line is string => typeof line === 'string' && line.length > 0);
}
