import { type Static, Type } from 'typebox';

const oneOf = <const T extends string[]>(values: readonly [...T], fallback: T[number]) =>
  Type.Enum(values, { default: fallback, description: `one of ${values.join(' | ')}` });

const integer = (fallback: number, minimum: number, maximum: number) =>
  Type.Integer({
    default: fallback,
    minimum,
    maximum,
    description: `a whole number from ${minimum} to ${maximum}`,
  });

const url = (protocols: string[]) =>
  Type.Optional(
    Type.String({
      pattern: `^(${protocols.join('|')})://`,
      description: `a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    }),
  );

/** A bare media type, compared byte for byte with what clients declare (no parameters). */
const MEDIA_TYPE = '[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*';

/** The upload allow-list of SPEC §4.7: tables, structured text, images and audio. */
export const DEFAULT_UPLOAD_TYPES = [
  'text/csv',
  'text/tab-separated-values',
  'application/json',
  'application/xml',
  'text/xml',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'audio/mpeg',
  'audio/wav',
  'audio/flac',
  'audio/ogg',
];

/** `email=20,crm-sync=2`: per-queue overrides of a default. */
const perQueue = Type.String({
  default: '',
  pattern: '^([a-z-]+=\\d+(,[a-z-]+=\\d+)*)?$',
  description: 'a comma-separated list of queue=number, e.g. email=20,crm-sync=2',
});

/**
 * Every environment variable Atrium reads. `.env.example` documents the same list; a test keeps
 * the two in step. Values arrive as strings and are converted before validation.
 */
export const EnvSchema = Type.Object({
  NODE_ENV: oneOf(['development', 'test', 'staging', 'production'], 'development'),
  PORT: integer(3000, 1, 65535),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'an interface address' }),
  DATABASE_URL: url(['postgres', 'postgresql']),
  DATABASE_POOL_MAX: integer(10, 1, 500),
  REDIS_URL: url(['redis', 'rediss']),
  JWT_SECRET: Type.Optional(
    Type.String({ minLength: 32, description: 'a secret of at least 32 bytes' }),
  ),
  JWT_ISSUER: Type.String({
    default: 'atrium',
    minLength: 1,
    description: 'the iss claim of the access tokens Atrium signs',
  }),
  JWT_AUDIENCE: Type.String({
    default: 'atrium-api',
    minLength: 1,
    description: 'the aud claim of the access tokens Atrium signs',
  }),
  CORS_ORIGINS: Type.String({
    default: '',
    description: 'a comma-separated list of origins (https://app.example.com), or *',
  }),
  METRICS_TOKEN: Type.Optional(
    Type.String({ minLength: 16, description: 'a token of at least 16 characters' }),
  ),
  CSP_MODE: oneOf(['strict', 'relaxed', 'disabled'], 'strict'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  TRUST_PROXY: Type.String({
    default: 'false',
    pattern: '^(true|false|\\d+|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$',
    description: 'true, false, a hop count, or a comma-separated list of proxy addresses/CIDRs',
  }),
  DATA_DIR: Type.String({ default: './.data', minLength: 1, description: 'a directory path' }),
  FIRST_SUPERUSER_EMAIL: Type.Optional(
    Type.String({ format: 'email', description: 'an email address' }),
  ),
  FIRST_SUPERUSER_PASSWORD: Type.Optional(
    Type.String({ minLength: 10, description: 'a password of at least 10 characters' }),
  ),
  AUTH_JWKS_URL: url(['https', 'http']),
  AUTH_ISSUER: Type.Optional(Type.String({ minLength: 1, description: 'an issuer (iss) URL' })),
  AUTH_AUDIENCE: Type.Optional(Type.String({ minLength: 1, description: 'an audience (aud)' })),
  BODY_LIMIT: integer(1_048_576, 1024, 104_857_600),
  RATE_LIMIT_MAX: integer(600, 0, 1_000_000),
  RATE_LIMIT_WINDOW_MS: integer(60_000, 1000, 86_400_000),
  AUTH_RATE_LIMITS: oneOf(['on', 'off'], 'on'),
  LOGIN_IP_FAILURES: integer(10, 1, 10_000),
  LOGIN_IP_WINDOW_MS: integer(900_000, 1000, 86_400_000),
  LOGIN_ACCOUNT_FAILURES: integer(100, 1, 1_000_000),
  LOGIN_ACCOUNT_WINDOW_MS: integer(86_400_000, 1000, 2_592_000_000),
  MESSAGE_RATE_LIMIT_MAX: integer(30, 1, 100_000),
  AUTH_SESSION_CACHE_MS: integer(10_000, 0, 60_000),
  // Seconds, like UPLOAD_URL_TTL. The idle timeout ends a session nobody refreshed for that long.
  ACCESS_TOKEN_TTL: integer(900, 60, 86_400),
  REFRESH_TOKEN_TTL: integer(604_800, 300, 31_536_000),
  SESSION_IDLE_TIMEOUT: integer(604_800, 60, 31_536_000),
  EMAIL_VERIFICATION_REQUIRED: oneOf(['true', 'false'], 'false'),
  REAUTH_WINDOW: integer(300, 10, 86_400),
  REFRESH_REUSE_GRACE: integer(10, 0, 120),
  MFA_REQUIRED_FOR: Type.String({
    default: '',
    pattern: '^((superuser|[a-z]+:[a-z]+)(,(superuser|[a-z]+:[a-z]+))*)?$',
    description:
      'a comma-separated list of superuser and/or permission names (e.g. superuser,users:write)',
  }),
  MFA_ENCRYPTION_KEY: Type.Optional(
    Type.String({ minLength: 32, description: 'a secret of at least 32 bytes' }),
  ),
  SSE_MAX_PER_USER: integer(10, 1, 1000),
  SSE_MAX_CONNECTIONS: integer(1000, 1, 1_000_000),
  QUEUE_PREFIX: Type.String({
    default: 'atrium',
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    description: 'letters, digits, - and _ (a Redis key prefix)',
  }),
  WORKER_CONCURRENCY: integer(10, 1, 1000),
  JOB_ATTEMPTS: integer(5, 1, 100),
  WORKER_METRICS_PORT: Type.Integer({
    default: 0,
    minimum: 0,
    maximum: 65535,
    description: "a port for the worker process's /metrics, or 0 for none",
  }),
  QUEUE_CONCURRENCY: perQueue,
  QUEUE_ATTEMPTS: perQueue,
  OUTBOX_POLL_MS: integer(1000, 10, 60_000),
  SHUTDOWN_TIMEOUT_MS: integer(10_000, 100, 600_000),
  PUBLIC_APP_URL: Type.String({
    default: 'http://localhost:3000',
    pattern: '^https?://[^\\s]+[^/\\s]$',
    description: "the web app's base URL without a trailing slash (links in emails)",
  }),
  SMTP_URL: url(['smtp', 'smtps']),
  // Unset: smtp with SMTP_URL, else console in development and test (load.ts decides).
  MAIL_TRANSPORT: Type.Optional(
    Type.Enum(['smtp', 'sendgrid', 'console', 'none'], {
      description: 'one of smtp | sendgrid | console | none',
    }),
  ),
  SENDGRID_API_KEY: Type.Optional(
    Type.String({ minLength: 10, description: 'a SendGrid API key (mail send permission)' }),
  ),
  SENDGRID_API_URL: Type.String({
    default: 'https://api.sendgrid.com',
    pattern: '^https?://[^\\s]+[^/\\s]$',
    description: 'a URL starting with http:// or https://, no trailing slash',
  }),
  MAIL_FROM: Type.String({
    default: 'Atrium <no-reply@localhost>',
    minLength: 3,
    description: 'a From address, e.g. Atrium <no-reply@example.com>',
  }),
  HUBSPOT_TOKEN: Type.Optional(
    Type.String({ minLength: 10, description: 'a HubSpot private app access token' }),
  ),
  HUBSPOT_BASE_URL: Type.String({
    default: 'https://api.hubapi.com',
    pattern: '^https?://',
    description: 'a URL starting with http:// or https://',
  }),
  PUBLIC_API_URL: Type.Optional(
    Type.String({
      pattern: '^https?://[^\\s]+[^/\\s]$',
      description: "the API's public base URL without a trailing slash",
    }),
  ),
  STORAGE_DRIVER: oneOf(['local', 's3'], 'local'),
  S3_BUCKET: Type.Optional(
    Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', description: 'a bucket name' }),
  ),
  S3_REGION: Type.String({ default: 'us-east-1', minLength: 1, description: 'an AWS region' }),
  S3_ENDPOINT: url(['https', 'http']),
  S3_FORCE_PATH_STYLE: oneOf(['auto', 'true', 'false'], 'auto'),
  UPLOAD_TYPES: Type.String({
    default: DEFAULT_UPLOAD_TYPES.join(','),
    pattern: `^${MEDIA_TYPE}(,${MEDIA_TYPE})*$`,
    description: 'a comma-separated list of media types (type/subtype)',
  }),
  UPLOAD_MAX_BYTES: integer(104_857_600, 1, 5_368_709_120),
  UPLOAD_URL_TTL: integer(900, 60, 604_800),
  UPLOAD_SIGNING_SECRET: Type.Optional(
    Type.String({ minLength: 32, description: 'a secret of at least 32 bytes' }),
  ),
  UPLOAD_SCAN: oneOf(['on', 'off'], 'on'),
  CLAMAV_HOST: Type.Optional(Type.String({ minLength: 1, description: 'a host name or address' })),
  CLAMAV_PORT: integer(3310, 1, 65535),
  CLAMAV_SOCKET: Type.Optional(Type.String({ minLength: 1, description: 'a UNIX socket path' })),
  UPLOAD_RETENTION_DAYS: integer(30, 1, 3650),
  CONTENT_CACHE_MAX_AGE: integer(60, 0, 31_536_000),
  CONTENT_CACHE_SWR: integer(300, 0, 31_536_000),
  CMS: oneOf(['local', 'contentful'], 'local'),
  CONTENTFUL_SPACE_ID: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9]{1,64}$', description: 'a Contentful space id' }),
  ),
  CONTENTFUL_ENVIRONMENT: Type.String({
    default: 'master',
    pattern: '^[A-Za-z0-9_.-]{1,64}$',
    description: 'a Contentful environment id',
  }),
  CONTENTFUL_DELIVERY_TOKEN: Type.Optional(
    Type.String({ minLength: 8, description: 'a Contentful Content Delivery API token' }),
  ),
  CONTENTFUL_HOST: Type.String({
    default: 'cdn.contentful.com',
    minLength: 1,
    description: 'a host name, or a URL starting with http:// or https://',
  }),
  CONTENTFUL_LOCALE: Type.String({
    default: 'en-US',
    minLength: 1,
    description: 'a Contentful locale code, e.g. en-US',
  }),
  CONTENT_SYNC_EVERY_MS: integer(300_000, 1000, 86_400_000),
  HUBSPOT_DEAL_PIPELINE: Type.String({
    default: 'default',
    minLength: 1,
    description: 'a HubSpot deal pipeline id',
  }),
  HUBSPOT_DEAL_STAGE: Type.String({
    default: 'appointmentscheduled',
    minLength: 1,
    description: 'a HubSpot deal stage id of that pipeline',
  }),
  SALES_INBOX: Type.Optional(Type.String({ format: 'email', description: 'an email address' })),
  CAPTCHA_PROVIDER: Type.Optional(
    Type.Enum(['turnstile', 'hcaptcha', 'recaptcha'], {
      description: 'one of turnstile | hcaptcha | recaptcha',
    }),
  ),
  CAPTCHA_SECRET: Type.Optional(
    Type.String({ minLength: 1, description: "the captcha provider's secret key" }),
  ),
  CAPTCHA_VERIFY_URL: url(['https', 'http']),
  CAPTCHA_TIMEOUT_MS: integer(5000, 100, 60_000),
  FORM_LIMIT_PER_IP: integer(10, 1, 100_000),
  FORM_LIMIT_PER_EMAIL: integer(20, 1, 100_000),
  UPLOAD_LIMIT_PER_IP: integer(20, 1, 1_000_000),
  UPLOAD_LIMIT_PER_EMAIL: integer(10, 1, 1_000_000),
  AUDIT_RETENTION_DAYS: integer(0, 0, 36_500),
  AUDIT_SIGNING_SECRET: Type.Optional(
    Type.String({ minLength: 32, description: 'a secret of at least 32 bytes' }),
  ),
});
export type Env = Static<typeof EnvSchema>;

/** Variables whose values never appear in an error message or a log line. */
export const SECRET_VARIABLES = new Set([
  'JWT_SECRET',
  'METRICS_TOKEN',
  'FIRST_SUPERUSER_PASSWORD',
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
  'HUBSPOT_TOKEN',
  'CONTENTFUL_DELIVERY_TOKEN',
  'SENDGRID_API_KEY',
  'CAPTCHA_SECRET',
  'UPLOAD_SIGNING_SECRET',
  'AUDIT_SIGNING_SECRET',
  'MFA_ENCRYPTION_KEY',
]);
