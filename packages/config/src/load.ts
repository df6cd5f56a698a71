import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import Value from 'typebox/value';
import { type Env, EnvSchema, SECRET_VARIABLES } from './schema.js';

export type Environment = Env['NODE_ENV'];
export type MailTransportName = NonNullable<Env['MAIL_TRANSPORT']>;

export interface Config {
  env: Environment;
  version: string;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  jwtSecret: string | undefined;
  /** The `iss` and `aud` of our own access tokens (an external IdP's are in `idp`). */
  jwt: { issuer: string; audience: string };
  corsOrigins: string[] | '*';
  cspMode: Env['CSP_MODE'];
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean | number | string[];
  dataDir: string;
  firstSuperuser: { email: string | undefined; password: string | undefined };
  /** An external identity provider whose RS256/ES256 tokens are accepted; all three or none. */
  idp: { jwksUrl: string; issuer: string; audience: string } | undefined;
  /** How long a live-session check may be reused (0: query on every request). */
  sessionCacheMs: number;
  /**
   * Lifetimes in seconds: an access token; a refresh token; a session no refresh has used for
   * `idleTimeoutSeconds` (each refresh moves its end, so an active session lives on).
   */
  sessions: {
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    idleTimeoutSeconds: number;
  };
  /** Org creation and messaging wait until the account's email address is confirmed. */
  emailVerificationRequired: boolean;
  /**
   * `reauthWindowSeconds`: how old a session's last password/2FA check may be for a sensitive
   * route. `refreshReuseGraceSeconds`: how long a rotated refresh token still gets a new pair
   * (two tabs refreshing at once). `mfaRequiredFor`: superusers (`superuser`) and holders of these
   * permissions are refused their protected routes until they turn on two-factor sign-in.
   * `mfaEncryptionKey`: encrypts TOTP secrets at rest; unset, a key derived from the JWT secret.
   */
  mfa: {
    reauthWindowSeconds: number;
    refreshReuseGraceSeconds: number;
    mfaRequiredFor: string[];
    encryptionKey: string | undefined;
  };
  bodyLimit: number;
  /** Open live-event streams this instance accepts, per user and in all. */
  sse: { maxPerUser: number; maxConnections: number };
  /** `messages` is sends per user per minute. */
  rateLimit: { max: number; windowMs: number; auth: boolean; messages: number };
  /**
   * Failed sign-ins: `perIp` failures per (account, client IP) per window lock out that pair
   * only; `perAccount` failures from all IPs together lock the account for everyone.
   */
  loginFailures: {
    perIp: { max: number; windowMs: number };
    perAccount: { max: number; windowMs: number };
  };
  queuePrefix: string;
  jobs: {
    concurrency: number;
    attempts: number;
    outboxPollMs: number;
    /** Per-queue overrides of concurrency and attempts, by queue name. */
    queueConcurrency: Record<string, number>;
    queueAttempts: Record<string, number>;
    /** A separate worker process serves /metrics here; 0 = not at all. */
    metricsPort: number;
  };
  shutdownTimeoutMs: number;
  publicAppUrl: string;
  /**
   * `console` writes emails to the log (bodies only in development) and `none` drops them; both
   * record an email as not sent. Production refuses to start without a choice.
   */
  mail: {
    transport: MailTransportName;
    smtpUrl: string | undefined;
    from: string;
    sendgrid: { apiKey: string | undefined; apiUrl: string };
  };
  /** No HUBSPOT_TOKEN: CRM syncs are logged only. A quote request's deal opens in `deal`. */
  crm: {
    hubspotToken: string | undefined;
    hubspotBaseUrl: string;
    deal: { pipeline: string; stage: string };
  };
  /** The website forms: who hears of them, the captcha (absent: none), the limits. */
  forms: {
    salesInbox: string | undefined;
    captcha:
      | {
          provider: NonNullable<Env['CAPTCHA_PROVIDER']>;
          secret: string;
          verifyUrl: string | undefined;
          timeoutMs: number;
        }
      | undefined;
    /** Per client IP per minute, per sender email per hour. */
    limits: { perIp: number; perEmail: number };
  };
  /**
   * The API's own public base URL (the local storage driver's signed upload URLs point at it);
   * unset, `http://<HOST>:<PORT>` (localhost for a wildcard HOST), which only suits development.
   */
  publicApiUrl: string;
  /** Where uploaded bytes live: `DATA_DIR/uploads`, or an S3 bucket (credentials: the SDK's chain). */
  storage:
    | { driver: 'local'; root: string }
    | {
        driver: 's3';
        bucket: string;
        region: string;
        endpoint: string | undefined;
        forcePathStyle: boolean;
      };
  /** The audit log: retention in days (0: forever), and the checkpoint signing secret if set (see `auditSigningKey`). */
  audit: { retentionDays: number; signingSecret: string | undefined };
  uploads: {
    /** The allow-list of declared content types (bare media types). */
    types: string[];
    maxBytes: number;
    urlTtlSeconds: number;
    /** Signs local upload URLs; unset: derived from JWT_SECRET, or without one a random key kept under DATA_DIR. */
    signingSecret: string | undefined;
    /** `UPLOAD_SCAN=off`: files are never scanned, stated explicitly (production needs one or the other). */
    scan: boolean;
    retentionDays: number;
    /** Upload requests per client IP and per email address, per hour. */
    limits: { perIp: number; perEmail: number };
  };
  /** clamd, over TCP or a UNIX socket; undefined when neither CLAMAV_HOST nor CLAMAV_SOCKET is set. */
  scanner: { host: string; port: number } | { socket: string } | undefined;
  /**
   * Public content: `Cache-Control` ages; `contentful` set means Contentful is the source (synced
   * every `syncEveryMs`) and local writes are refused.
   */
  content: {
    maxAgeSeconds: number;
    staleWhileRevalidateSeconds: number;
    syncEveryMs: number;
    contentful:
      | { spaceId: string; environment: string; accessToken: string; host: string; locale: string }
      | undefined;
  };
}

/** A bad environment: `message` is one line naming the variable, safe to print. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type RawEnv = Record<string, string | undefined>;

/** Reads `.env` from `dir` when present; variables already set in `env` win. */
export function withDotenv(env: RawEnv, dir = process.cwd()): RawEnv {
  const file = resolve(dir, '.env');
  if (!existsSync(file)) return env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

/** Validates the environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(raw: RawEnv = withDotenv(process.env)): Config {
  const known = Object.keys(EnvSchema.properties) as (keyof Env)[];
  // Empty strings count as unset, as in most deployment tools' env files.
  const picked = Object.fromEntries(
    known.filter((k) => raw[k] !== undefined && raw[k] !== '').map((k) => [k, raw[k]]),
  );
  // A copy: Default fills in place, and `picked` must still tell what was given.
  const env = Value.Convert(EnvSchema, Value.Default(EnvSchema, { ...picked })) as Env;
  const [error] = Value.Errors(EnvSchema, env);
  if (error) {
    const name = error.instancePath.split('/')[1] as keyof Env;
    const schema = EnvSchema.properties[name] as { description?: string };
    const shown = SECRET_VARIABLES.has(name) ? '' : ` (got "${String(raw[name])}")`;
    throw new ConfigError(`${name} must be ${schema.description ?? 'valid'}${shown}`);
  }
  const corsOrigins = parseCors(env.CORS_ORIGINS);
  const strict = env.NODE_ENV === 'production' || env.NODE_ENV === 'staging';
  if (strict && !env.JWT_SECRET) {
    throw new ConfigError(`JWT_SECRET is required in ${env.NODE_ENV} (at least 32 bytes)`);
  }
  if (strict && corsOrigins === '*') {
    throw new ConfigError(`CORS_ORIGINS must list explicit origins in ${env.NODE_ENV}, not *`);
  }
  if (strict) requireDeploymentSettings(env, picked);
  // A client refreshes when its access token expires: an idle timeout below that would end
  // sessions that are in use.
  if (env.SESSION_IDLE_TIMEOUT < env.ACCESS_TOKEN_TTL) {
    throw new ConfigError(
      'SESSION_IDLE_TIMEOUT must be at least ACCESS_TOKEN_TTL (both in seconds)',
    );
  }
  return {
    env: env.NODE_ENV,
    version: readVersion(),
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    redisUrl: env.REDIS_URL,
    jwtSecret: env.JWT_SECRET,
    jwt: { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
    corsOrigins,
    cspMode: env.CSP_MODE,
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    dataDir: resolve(env.DATA_DIR),
    firstSuperuser: { email: env.FIRST_SUPERUSER_EMAIL, password: env.FIRST_SUPERUSER_PASSWORD },
    idp: parseIdp(env),
    sessionCacheMs: env.AUTH_SESSION_CACHE_MS,
    sessions: {
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL,
      idleTimeoutSeconds: env.SESSION_IDLE_TIMEOUT,
    },
    emailVerificationRequired: env.EMAIL_VERIFICATION_REQUIRED === 'true',
    mfa: {
      reauthWindowSeconds: env.REAUTH_WINDOW,
      refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE,
      mfaRequiredFor: env.MFA_REQUIRED_FOR.split(',').filter(Boolean),
      encryptionKey: env.MFA_ENCRYPTION_KEY,
    },
    bodyLimit: env.BODY_LIMIT,
    sse: { maxPerUser: env.SSE_MAX_PER_USER, maxConnections: env.SSE_MAX_CONNECTIONS },
    rateLimit: {
      max: env.RATE_LIMIT_MAX,
      windowMs: env.RATE_LIMIT_WINDOW_MS,
      auth: env.AUTH_RATE_LIMITS === 'on',
      messages: env.MESSAGE_RATE_LIMIT_MAX,
    },
    loginFailures: {
      perIp: { max: env.LOGIN_IP_FAILURES, windowMs: env.LOGIN_IP_WINDOW_MS },
      perAccount: { max: env.LOGIN_ACCOUNT_FAILURES, windowMs: env.LOGIN_ACCOUNT_WINDOW_MS },
    },
    queuePrefix: env.QUEUE_PREFIX,
    jobs: {
      concurrency: env.WORKER_CONCURRENCY,
      attempts: env.JOB_ATTEMPTS,
      outboxPollMs: env.OUTBOX_POLL_MS,
      queueConcurrency: parsePerQueue(env.QUEUE_CONCURRENCY),
      queueAttempts: parsePerQueue(env.QUEUE_ATTEMPTS),
      metricsPort: env.WORKER_METRICS_PORT,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    publicAppUrl: env.PUBLIC_APP_URL,
    mail: {
      transport: mailTransport(env),
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      sendgrid: { apiKey: env.SENDGRID_API_KEY, apiUrl: env.SENDGRID_API_URL },
    },
    crm: {
      hubspotToken: env.HUBSPOT_TOKEN,
      hubspotBaseUrl: env.HUBSPOT_BASE_URL,
      deal: { pipeline: env.HUBSPOT_DEAL_PIPELINE, stage: env.HUBSPOT_DEAL_STAGE },
    },
    forms: {
      salesInbox: env.SALES_INBOX,
      captcha: parseCaptcha(env),
      limits: { perIp: env.FORM_LIMIT_PER_IP, perEmail: env.FORM_LIMIT_PER_EMAIL },
    },
    publicApiUrl: env.PUBLIC_API_URL ?? defaultApiUrl(env),
    storage: parseStorage(env),
    uploads: {
      types: env.UPLOAD_TYPES.split(','),
      maxBytes: env.UPLOAD_MAX_BYTES,
      urlTtlSeconds: env.UPLOAD_URL_TTL,
      signingSecret: env.UPLOAD_SIGNING_SECRET,
      scan: env.UPLOAD_SCAN === 'on',
      retentionDays: env.UPLOAD_RETENTION_DAYS,
      limits: { perIp: env.UPLOAD_LIMIT_PER_IP, perEmail: env.UPLOAD_LIMIT_PER_EMAIL },
    },
    scanner: parseScanner(env),
    audit: { retentionDays: env.AUDIT_RETENTION_DAYS, signingSecret: env.AUDIT_SIGNING_SECRET },
    content: {
      maxAgeSeconds: env.CONTENT_CACHE_MAX_AGE,
      staleWhileRevalidateSeconds: env.CONTENT_CACHE_SWR,
      syncEveryMs: env.CONTENT_SYNC_EVERY_MS,
      contentful: parseContentful(env),
    },
  };
}

function defaultApiUrl(env: Env): string {
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT}`;
}

function parseStorage(env: Env): Config['storage'] {
  if (env.STORAGE_DRIVER === 'local')
    return { driver: 'local', root: resolve(env.DATA_DIR, 'uploads') };
  if (!env.S3_BUCKET) throw new ConfigError('S3_BUCKET is required when STORAGE_DRIVER=s3');
  return {
    driver: 's3',
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    endpoint: env.S3_ENDPOINT,
    // Most S3-compatible stores (MinIO, Ceph) want path-style; AWS wants virtual-hosted.
    forcePathStyle:
      env.S3_FORCE_PATH_STYLE === 'auto'
        ? Boolean(env.S3_ENDPOINT)
        : env.S3_FORCE_PATH_STYLE === 'true',
  };
}

function parseScanner(env: Env): Config['scanner'] {
  if (env.CLAMAV_HOST && env.CLAMAV_SOCKET) {
    throw new ConfigError('CLAMAV_HOST and CLAMAV_SOCKET are alternatives: set one');
  }
  if (env.CLAMAV_SOCKET) return { socket: env.CLAMAV_SOCKET };
  if (env.CLAMAV_HOST) return { host: env.CLAMAV_HOST, port: env.CLAMAV_PORT };
  return undefined;
}

/**
 * What development may leave to defaults and a deployment may not: without DATABASE_URL the data
 * would go to an embedded database under a path that is rarely a volume, and with the default
 * PUBLIC_APP_URL every emailed link would point at this API and 404.
 */
function requireDeploymentSettings(env: Env, given: Partial<Record<keyof Env, unknown>>) {
  if (!env.DATABASE_URL) {
    throw new ConfigError(
      `DATABASE_URL is required in ${env.NODE_ENV} (postgres://…; the embedded database is for development)`,
    );
  }
  if (given.PUBLIC_APP_URL === undefined) {
    throw new ConfigError(
      `PUBLIC_APP_URL is required in ${env.NODE_ENV} (the web app's base URL: links in emails point there)`,
    );
  }
  // Local upload URLs point at the API itself; behind a proxy `http://HOST:PORT` is unreachable.
  if (env.STORAGE_DRIVER === 'local' && given.PUBLIC_API_URL === undefined) {
    throw new ConfigError(
      `PUBLIC_API_URL is required in ${env.NODE_ENV} with STORAGE_DRIVER=local (the API's public base URL: upload URLs point there)`,
    );
  }
}

/**
 * SMTP when SMTP_URL is set; otherwise the console transport, which only development and test
 * get by default. A deployment that sends no email says so (`none`), so that a forgotten SMTP_URL
 * stops it instead of writing reset links to its logs. Production never logs emails at all.
 */
function mailTransport(env: Env): MailTransportName {
  const strict = env.NODE_ENV === 'production' || env.NODE_ENV === 'staging';
  const chosen = env.MAIL_TRANSPORT ?? (env.SMTP_URL ? 'smtp' : strict ? undefined : 'console');
  if (!chosen) {
    throw new ConfigError(
      `MAIL_TRANSPORT is required in ${env.NODE_ENV} without SMTP_URL (set SMTP_URL, or MAIL_TRANSPORT=none to send no email)`,
    );
  }
  if (chosen === 'smtp' && !env.SMTP_URL) {
    throw new ConfigError('SMTP_URL is required when MAIL_TRANSPORT=smtp');
  }
  if (chosen === 'sendgrid' && !env.SENDGRID_API_KEY) {
    throw new ConfigError('SENDGRID_API_KEY is required when MAIL_TRANSPORT=sendgrid');
  }
  if (chosen === 'console' && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'MAIL_TRANSPORT=console is not allowed in production (set SMTP_URL, or MAIL_TRANSPORT=none)',
    );
  }
  return chosen;
}

function parseContentful(env: Env): Config['content']['contentful'] {
  if (env.CMS !== 'contentful') return undefined;
  const { CONTENTFUL_SPACE_ID: spaceId, CONTENTFUL_DELIVERY_TOKEN: accessToken } = env;
  if (!spaceId || !accessToken) {
    throw new ConfigError('CMS=contentful needs CONTENTFUL_SPACE_ID and CONTENTFUL_DELIVERY_TOKEN');
  }
  return {
    spaceId,
    accessToken,
    environment: env.CONTENTFUL_ENVIRONMENT,
    host: env.CONTENTFUL_HOST,
    locale: env.CONTENTFUL_LOCALE,
  };
}

/** A captcha needs its provider and its secret, both or neither. */
function parseCaptcha(env: Env): Config['forms']['captcha'] {
  const { CAPTCHA_PROVIDER: provider, CAPTCHA_SECRET: secret } = env;
  if (!provider && !secret) return undefined;
  if (!provider || !secret) {
    throw new ConfigError('CAPTCHA_PROVIDER and CAPTCHA_SECRET must be set together');
  }
  return { provider, secret, verifyUrl: env.CAPTCHA_VERIFY_URL, timeoutMs: env.CAPTCHA_TIMEOUT_MS };
}

function parseIdp(env: Env): Config['idp'] {
  const { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = env;
  if (!jwksUrl && !issuer && !audience) return undefined;
  if (!jwksUrl || !issuer || !audience) {
    throw new ConfigError('AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE must be set together');
  }
  return { jwksUrl, issuer, audience };
}

function parseCors(value: string): string[] | '*' {
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (origins.includes('*')) return '*';
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        `CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com (got "${origin}")`,
      );
    }
  }
  return origins;
}

function parsePerQueue(value: string): Record<string, number> {
  if (!value) return {};
  return Object.fromEntries(
    value.split(',').map((pair) => {
      const [queue, n] = pair.split('=');
      return [queue!, Number(n)];
    }),
  );
}

function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',');
}

/** Every workspace package carries the release version; this one is found inside a bundle too. */
function readVersion(): string {
  const pkg = createRequire(import.meta.url)('@atrium/config/package.json') as { version?: string };
  return pkg.version ?? '0.0.0';
}
