import { type Env, EnvSchema } from './schema.js';

/**
 * What each variable means, in the words an operator reads: the one source of the README's
 * configuration table and of `.env.example` (`pnpm docs:config` writes both; a test keeps them
 * in step). The type makes an undocumented variable a compile error. Sections start where a
 * meaning begins with `§Title:`.
 */
export const ENV_DOCS: { [K in keyof Env]-?: string } = {
  NODE_ENV:
    '§Process: `development`, `test`, `staging` or `production`; staging and production require `JWT_SECRET` and refuse `CORS_ORIGINS=*`',
  PORT: 'the HTTP port',
  HOST: 'the interface the API listens on (`0.0.0.0` in containers)',
  DATA_DIR:
    'embedded database, uploads and other local state; one process at a time opens the embedded database',
  LOG_LEVEL: 'pino level, or `silent`',
  SHUTDOWN_TIMEOUT_MS: 'how long a stopping process waits for in-flight requests and jobs',
  DATABASE_URL:
    '§Database and Redis: PostgreSQL 15+ connection URL; unset = embedded PGlite under `DATA_DIR`; required in staging and production',
  DATABASE_POOL_MAX: 'connections per process',
  REDIS_URL:
    'Redis 7 (BullMQ, shared rate limits, pub/sub for live events); unset = jobs in-process, limits per instance',
  QUEUE_PREFIX: 'prefix of every Redis key Atrium writes, so deployments can share one server',
  JWT_SECRET:
    '§Security: signs access tokens; at least 32 bytes; required in staging and production',
  JWT_ISSUER: 'the `iss` our access tokens carry, and must carry to be accepted',
  JWT_AUDIENCE: 'the `aud` our access tokens carry, and must carry to be accepted',
  CORS_ORIGINS:
    'comma-separated browser origins allowed to call the API (`https://app.example.com`); `*` only outside production',
  CSP_MODE:
    "`strict` (nothing loads; right for a JSON API), `relaxed` (helmet's default page policy), `disabled`",
  METRICS_TOKEN:
    'when set, `GET /metrics` needs `Authorization: Bearer <token>` (16+ characters); unset = open',
  TRUST_PROXY:
    'a hop count or proxy addresses/CIDRs: decides the client IP; `true` believes a client-set `X-Forwarded-For`',
  BODY_LIMIT: 'largest request body, bytes',
  RATE_LIMIT_MAX:
    'requests per IP per window on every route (`0` = off); tighter limits are set per route',
  RATE_LIMIT_WINDOW_MS: 'the window of `RATE_LIMIT_MAX`, ms',
  AUTH_RATE_LIMITS:
    'per-IP limits on login, register, refresh and password reset (not the sign-in budgets): `on`, or `off` for load tests only',
  LOGIN_IP_FAILURES:
    'failed sign-ins per (account, client IP) per window; then only that pair is refused until the window ends',
  LOGIN_IP_WINDOW_MS: 'the window of `LOGIN_IP_FAILURES`, ms',
  LOGIN_ACCOUNT_FAILURES:
    'failed sign-ins per account from all IPs per window; then everyone is refused until it ends or a password reset',
  LOGIN_ACCOUNT_WINDOW_MS: 'the window of `LOGIN_ACCOUNT_FAILURES`, ms',
  MESSAGE_RATE_LIMIT_MAX: 'messages one user may send per minute',
  AUTH_SESSION_CACHE_MS:
    'how long a "session is live" check is reused (revokes clear it at once on every instance); `0` = one query per authenticated request',
  ACCESS_TOKEN_TTL: 'seconds an access token (JWT) is valid; a revoked session stops it sooner',
  REFRESH_TOKEN_TTL: 'seconds a refresh token is valid (each refresh issues a new one)',
  SESSION_IDLE_TIMEOUT:
    'seconds after which a session no refresh has used ends; at least `ACCESS_TOKEN_TTL`',
  EMAIL_VERIFICATION_REQUIRED:
    '`true`: creating an organization and sending messages answer 403 `email_not_verified` until the address is confirmed',
  REAUTH_WINDOW:
    'seconds a password or 2FA check stays fresh for sensitive routes (change password, 2FA, roles, superuser, delete org); older: 403 `reauthentication_required`',
  REFRESH_REUSE_GRACE:
    'seconds a just-rotated refresh token still gets a new pair for the same session (two tabs refreshing at once); later reuse ends the session',
  MFA_REQUIRED_FOR:
    '`superuser` and/or permission names whose holders must turn on two-factor sign-in before using those routes (403 `mfa_enrollment_required`)',
  MFA_ENCRYPTION_KEY:
    'encrypts TOTP secrets at rest (AES-256-GCM); unset: derived from the JWT secret, so rotating JWT_SECRET then disables existing 2FA enrolments',
  SSE_MAX_PER_USER:
    'live-event streams (`GET /events`) one API instance accepts per user; past it, 429 `rate_limited`',
  SSE_MAX_CONNECTIONS: 'live-event streams one API instance accepts in all; past it, 429',
  FIRST_SUPERUSER_EMAIL:
    '§Accounts: the first superuser, created at start-up when none exists (embedded with neither set: generated and printed once)',
  FIRST_SUPERUSER_PASSWORD: "the first superuser's password",
  AUTH_JWKS_URL:
    'an external identity provider (e.g. Auth0), all three or none: its RS256/ES256 tokens are accepted and their user provisioned on first use',
  AUTH_ISSUER: "the external identity provider's issuer (`iss`)",
  AUTH_AUDIENCE: 'the audience (`aud`) its tokens must carry',
  WORKER_CONCURRENCY: '§Jobs: jobs per worker process',
  JOB_ATTEMPTS: 'attempts per job (exponential backoff from 1 s)',
  QUEUE_CONCURRENCY: 'per-queue overrides of `WORKER_CONCURRENCY`: `email=20,crm-sync=2`',
  QUEUE_ATTEMPTS: 'per-queue overrides of `JOB_ATTEMPTS`: `crm-sync=8`',
  OUTBOX_POLL_MS: 'how often the relay looks for jobs a lost wake-up left waiting, ms',
  WORKER_METRICS_PORT:
    '`pnpm start:worker` serves Prometheus metrics on this port at `/metrics`; `0` = off',
  PUBLIC_APP_URL:
    '§Email and CRM: base URL of the web app, no trailing slash: links in emails point here; required in staging and production',
  SMTP_URL: 'SMTP server for email (`smtp://user:pass@host:587`, `smtps://…:465`)',
  MAIL_TRANSPORT:
    '`smtp`, `sendgrid` (its v3 HTTP API), `console` (logs; links only in development) or `none`; unset = `smtp` with `SMTP_URL`, else `console` (development, test)',
  SENDGRID_API_KEY: 'SendGrid API key; required with `MAIL_TRANSPORT=sendgrid`',
  SENDGRID_API_URL: 'SendGrid API base URL (tests point it at a local server)',
  MAIL_FROM: 'the From header of every email',
  HUBSPOT_TOKEN:
    'HubSpot private app token (contacts and notes write); unset = CRM syncs are only logged',
  HUBSPOT_BASE_URL: 'HubSpot API base URL (tests point it at a local stub)',
  PUBLIC_API_URL:
    "§Uploads: the API's public base URL, no trailing slash: the local driver's signed upload URLs point here; unset = `http://HOST:PORT`; required in staging and production with `STORAGE_DRIVER=local`",
  STORAGE_DRIVER:
    '`local` (files under `DATA_DIR/uploads`, uploaded through a signed URL on the API) or `s3`',
  S3_BUCKET:
    'the bucket for `STORAGE_DRIVER=s3`; credentials come from the AWS SDK chain (`AWS_ACCESS_KEY_ID`…, profile, instance role); block public access',
  S3_REGION: 'the bucket region',
  S3_ENDPOINT: 'an S3-compatible endpoint (MinIO, R2, Ceph…); unset = AWS',
  S3_FORCE_PATH_STYLE: '`auto` (path-style when `S3_ENDPOINT` is set), `true` or `false`',
  UPLOAD_TYPES:
    'comma-separated content types an upload may declare (bare `type/subtype`); the default is CSV, TSV, JSON, XML, PNG, JPEG, GIF, WebP, MP3, WAV, FLAC, OGG',
  UPLOAD_MAX_BYTES: 'largest upload, bytes (the store itself refuses more than the declared size)',
  UPLOAD_URL_TTL: 'how long an upload URL is valid, seconds',
  UPLOAD_SIGNING_SECRET:
    'signs local upload URLs (HMAC-SHA256; 32+ bytes); unset = derived from `JWT_SECRET` (HKDF), or with neither a random one kept under `DATA_DIR`',
  UPLOAD_SCAN:
    '`on`: every upload is scanned by clamd, and production refuses uploads (503) without `CLAMAV_HOST`/`CLAMAV_SOCKET`; `off` says explicitly that files go unscanned',
  CLAMAV_HOST: 'clamd over TCP (with `CLAMAV_PORT`); unset with no socket = no scanner configured',
  CLAMAV_PORT: "clamd's TCP port",
  CLAMAV_SOCKET: "clamd's UNIX socket path, instead of `CLAMAV_HOST`",
  UPLOAD_RETENTION_DAYS:
    "days an upload's bytes are kept; then they are deleted (metadata and result stay)",
  UPLOAD_LIMIT_PER_IP: 'upload requests per client IP per hour; past it, 429 with `Retry-After`',
  UPLOAD_LIMIT_PER_EMAIL: 'upload requests per email address per hour; past it, 429',
  CONTENT_CACHE_MAX_AGE:
    '§Website content: `max-age` of public content responses (`Cache-Control`), seconds',
  CONTENT_CACHE_SWR: '`stale-while-revalidate` of public content responses, seconds',
  CMS: '`local` (content is written through the API) or `contentful` (synced from Contentful; local writes answer 409)',
  CONTENTFUL_SPACE_ID: 'the Contentful space to sync from; required with `CMS=contentful`',
  CONTENTFUL_ENVIRONMENT: 'the Contentful environment to sync from',
  CONTENTFUL_DELIVERY_TOKEN:
    'a Content Delivery API token of that space; required with `CMS=contentful`',
  CONTENTFUL_HOST:
    'the Delivery API host (`cdn.contentful.com`); an `http://host:port` URL for a local server speaking its API',
  CONTENTFUL_LOCALE: 'the locale whose field values are stored',
  CONTENT_SYNC_EVERY_MS: 'how often the `content-sync` job runs with `CMS=contentful`, ms',
  HUBSPOT_DEAL_PIPELINE: 'the pipeline a quote request opens its HubSpot deal in',
  HUBSPOT_DEAL_STAGE: 'the stage (of that pipeline) a quote request opens its deal in',
  SALES_INBOX:
    '§Website forms: where every form submission is notified (read by the API: the job names it); unset = no sales notification',
  CAPTCHA_PROVIDER:
    '`turnstile`, `hcaptcha` or `recaptcha`: forms then need a `captchaToken`, verified server-side; unset = no captcha',
  CAPTCHA_SECRET: "the provider's secret key; required with `CAPTCHA_PROVIDER`",
  CAPTCHA_VERIFY_URL:
    "the provider's siteverify URL; unset = the provider's own (tests point it at a local server)",
  CAPTCHA_TIMEOUT_MS:
    'how long a captcha check may take; a slower provider is an outage (503), never a pass',
  FORM_LIMIT_PER_IP: 'form submissions per client IP per minute (429 after)',
  FORM_LIMIT_PER_EMAIL: 'form submissions per sender email per hour (429 after)',
  AUDIT_RETENTION_DAYS:
    '§Audit log: days audit events are kept; older ones are removed behind a signed checkpoint, so the chain still verifies; `0` keeps them forever',
  AUDIT_SIGNING_SECRET:
    'signs the audit checkpoints retention writes (HMAC-SHA256; 32+ bytes); unset = derived from `JWT_SECRET` (HKDF), or with neither a random one kept under `DATA_DIR`',
};

const defaultOf = (name: keyof Env) =>
  (EnvSchema.properties[name] as { default?: unknown }).default;

/** Variables in the docs' order (grouped by section), each with its section, default and meaning. */
function entries() {
  let section = '';
  return (Object.keys(ENV_DOCS) as (keyof Env)[]).map((name) => {
    const [, title, rest] = /^§([^:]+): (.*)$/s.exec(ENV_DOCS[name]) ?? [];
    if (title) section = title;
    return { name, section, meaning: rest ?? ENV_DOCS[name], fallback: defaultOf(name) };
  });
}

/** The README's configuration table (Markdown). */
export function configTable(): string {
  const rows = entries().map(({ name, meaning, fallback }) => {
    const shown = fallback === undefined || fallback === '' ? '—' : `\`${String(fallback)}\``;
    return `| \`${name}\` | ${shown} | ${meaning} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** `.env.example`: every variable at its default, under its meaning. */
export function envExample(): string {
  const lines = [
    '# Atrium reads these from the environment, or from a .env file in the working directory.',
    '# With none of them set, `pnpm start` runs embedded: PGlite under DATA_DIR, jobs in-process.',
    '# Written by `pnpm docs:config` from packages/config/src/docs.ts: edit that, not this.',
  ];
  let section = '';
  for (const { name, section: current, meaning, fallback } of entries()) {
    if (current !== section) lines.push('', `# --- ${current}`);
    section = current;
    lines.push(`# ${meaning.replaceAll('`', '')}`, `${name}=${fallback ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Where the table sits in the README. */
export const README_TABLE = {
  begin: '<!-- configuration table: pnpm docs:config -->',
  end: '<!-- end of configuration table -->',
};
