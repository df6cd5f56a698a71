import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configTable,
  EnvSchema,
  envExample,
  loadConfig,
  README_TABLE,
  withDotenv,
} from '../src/index.js';

const SECRET = 's'.repeat(32);

describe('loadConfig', () => {
  it('runs with no configuration at all on the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      cspMode: 'strict',
      corsOrigins: [],
      trustProxy: false,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('converts and keeps valid values', () => {
    const config = loadConfig({
      PORT: '8080',
      CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
      TRUST_PROXY: '2',
      DATABASE_URL: 'postgres://u@db:5432/atrium',
    });
    expect(config.port).toBe(8080);
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.trustProxy).toBe(2);
    expect(config.databaseUrl).toBe('postgres://u@db:5432/atrium');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
    });
  });

  it.each([
    ['PORT', 'abc', 'PORT must be a whole number from 1 to 65535 (got "abc")'],
    ['PORT', '70000', 'PORT must be a whole number from 1 to 65535 (got "70000")'],
    [
      'NODE_ENV',
      'prod',
      'NODE_ENV must be one of development | test | staging | production (got "prod")',
    ],
    ['CSP_MODE', 'loose', 'CSP_MODE must be one of strict | relaxed | disabled (got "loose")'],
    [
      'LOG_LEVEL',
      'verbose',
      'LOG_LEVEL must be one of fatal | error | warn | info | debug | trace | silent (got "verbose")',
    ],
    [
      'DATABASE_URL',
      'mysql://x',
      'DATABASE_URL must be a URL starting with postgres:// or postgresql://',
    ],
    ['REDIS_URL', 'localhost:6379', 'REDIS_URL must be a URL starting with redis:// or rediss://'],
    ['JWT_SECRET', 'short', 'JWT_SECRET must be a secret of at least 32 bytes'],
    [
      'FIRST_SUPERUSER_EMAIL',
      'admin',
      'FIRST_SUPERUSER_EMAIL must be an email address (got "admin")',
    ],
    [
      'FIRST_SUPERUSER_PASSWORD',
      'short',
      'FIRST_SUPERUSER_PASSWORD must be a password of at least 10 characters',
    ],
    [
      'TRUST_PROXY',
      'yes please',
      'TRUST_PROXY must be true, false, a hop count, or a comma-separated list of proxy addresses/CIDRs (got "yes please")',
    ],
    ['RATE_LIMIT_MAX', '-1', 'RATE_LIMIT_MAX must be a whole number from 0 to 1000000 (got "-1")'],
    [
      'QUEUE_PREFIX',
      'a:b',
      'QUEUE_PREFIX must be letters, digits, - and _ (a Redis key prefix) (got "a:b")',
    ],
    [
      'CORS_ORIGINS',
      'app.example.com',
      'CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com (got "app.example.com")',
    ],
  ])('refuses %s=%s with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new ConfigError(message));
  });

  it('never echoes a secret value in its message', () => {
    expect(() => loadConfig({ JWT_SECRET: 'hunter2' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:pw@x' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('pw@x') }),
    );
  });

  it.each(['production', 'staging'])('refuses %s without JWT_SECRET', (env) => {
    expect(() => loadConfig({ NODE_ENV: env })).toThrow(
      `JWT_SECRET is required in ${env} (at least 32 bytes)`,
    );
  });

  it('refuses a wildcard CORS origin in production, and allows it in development', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, CORS_ORIGINS: '*' }),
    ).toThrow('CORS_ORIGINS must list explicit origins in production, not *');
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it('accepts a complete production environment', () => {
    const config = loadConfig(DEPLOYED);
    expect(config.env).toBe('production');
    expect(config.mail.transport).toBe('smtp');
  });
});

/** Everything production requires; each test below takes one piece away. */
const DEPLOYED = {
  NODE_ENV: 'production',
  JWT_SECRET: SECRET,
  CORS_ORIGINS: 'https://app.example.com',
  DATABASE_URL: 'postgres://u@db:5432/atrium',
  PUBLIC_APP_URL: 'https://app.example.com',
  PUBLIC_API_URL: 'https://api.example.com',
  SMTP_URL: 'smtp://mail.example.com:587',
};
const without = (name: keyof typeof DEPLOYED, env = 'production') => {
  const { [name]: _, ...rest } = DEPLOYED;
  return { ...rest, NODE_ENV: env };
};

describe('a deployment (production, staging)', () => {
  it.each(['production', 'staging'])('refuses %s without DATABASE_URL', (env) => {
    expect(() => loadConfig(without('DATABASE_URL', env))).toThrow(
      new ConfigError(
        `DATABASE_URL is required in ${env} (postgres://…; the embedded database is for development)`,
      ),
    );
  });

  it.each(['production', 'staging'])('refuses %s without PUBLIC_APP_URL', (env) => {
    expect(() => loadConfig(without('PUBLIC_APP_URL', env))).toThrow(
      new ConfigError(
        `PUBLIC_APP_URL is required in ${env} (the web app's base URL: links in emails point there)`,
      ),
    );
  });

  it.each(['production', 'staging'])(
    'refuses %s without PUBLIC_API_URL when uploads go to local disk, not with S3',
    (env) => {
      expect(() => loadConfig(without('PUBLIC_API_URL', env))).toThrow(
        new ConfigError(
          `PUBLIC_API_URL is required in ${env} with STORAGE_DRIVER=local (the API's public base URL: upload URLs point there)`,
        ),
      );
      const s3 = { ...without('PUBLIC_API_URL', env), STORAGE_DRIVER: 's3', S3_BUCKET: 'uploads' };
      expect(loadConfig(s3).storage.driver).toBe('s3');
    },
  );

  it.each(['production', 'staging'])('refuses %s without a mail transport', (env) => {
    expect(() => loadConfig(without('SMTP_URL', env))).toThrow(
      new ConfigError(
        `MAIL_TRANSPORT is required in ${env} without SMTP_URL (set SMTP_URL, or MAIL_TRANSPORT=none to send no email)`,
      ),
    );
  });

  it('starts without SMTP_URL when told to send no email (MAIL_TRANSPORT=none)', () => {
    expect(loadConfig({ ...without('SMTP_URL'), MAIL_TRANSPORT: 'none' }).mail.transport).toBe(
      'none',
    );
  });

  it('refuses the console transport in production, and allows it in staging', () => {
    expect(() => loadConfig({ ...DEPLOYED, MAIL_TRANSPORT: 'console' })).toThrow(
      new ConfigError(
        'MAIL_TRANSPORT=console is not allowed in production (set SMTP_URL, or MAIL_TRANSPORT=none)',
      ),
    );
    const staging = { ...without('SMTP_URL', 'staging'), MAIL_TRANSPORT: 'console' };
    expect(loadConfig(staging).mail.transport).toBe('console');
  });
});

describe('MAIL_TRANSPORT', () => {
  it('is smtp when SMTP_URL is set, else console in development and test', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://localhost:25' }).mail.transport).toBe('smtp');
    expect(loadConfig({}).mail.transport).toBe('console');
    expect(loadConfig({ NODE_ENV: 'test' }).mail.transport).toBe('console');
  });

  it('refuses smtp without SMTP_URL, and an unknown transport', () => {
    expect(() => loadConfig({ MAIL_TRANSPORT: 'smtp' })).toThrow(
      new ConfigError('SMTP_URL is required when MAIL_TRANSPORT=smtp'),
    );
    expect(() => loadConfig({ MAIL_TRANSPORT: 'pigeon' })).toThrow(
      new ConfigError(
        'MAIL_TRANSPORT must be one of smtp | sendgrid | console | none (got "pigeon")',
      ),
    );
  });
});

describe('the website forms', () => {
  it('need CAPTCHA_PROVIDER and CAPTCHA_SECRET together, and never show the secret', () => {
    expect(() => loadConfig({ CAPTCHA_PROVIDER: 'turnstile' })).toThrow(
      new ConfigError('CAPTCHA_PROVIDER and CAPTCHA_SECRET must be set together'),
    );
    expect(() => loadConfig({ CAPTCHA_SECRET: 'x' })).toThrow(/set together/);
    expect(() => loadConfig({ CAPTCHA_PROVIDER: 'pigeon', CAPTCHA_SECRET: 'x' })).toThrow(
      /CAPTCHA_PROVIDER must be one of turnstile \| hcaptcha \| recaptcha/,
    );
    const forms = loadConfig({ CAPTCHA_PROVIDER: 'hcaptcha', CAPTCHA_SECRET: 'sec' }).forms;
    expect(forms.captcha).toEqual({
      provider: 'hcaptcha',
      secret: 'sec',
      verifyUrl: undefined,
      timeoutMs: 5000,
    });
    expect(loadConfig({}).forms).toEqual({
      salesInbox: undefined,
      captcha: undefined,
      limits: { perIp: 10, perEmail: 20 },
    });
  });

  it('send through SendGrid only with its key, which no error shows', () => {
    expect(() => loadConfig({ MAIL_TRANSPORT: 'sendgrid' })).toThrow(
      new ConfigError('SENDGRID_API_KEY is required when MAIL_TRANSPORT=sendgrid'),
    );
    let message = '';
    try {
      loadConfig({ MAIL_TRANSPORT: 'sendgrid', SENDGRID_API_KEY: 'short' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^SENDGRID_API_KEY must be/);
    expect(message).not.toContain('short');
  });
});

describe('.env', () => {
  it('is read when present, and the real environment wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-env-'));
    writeFileSync(join(dir, '.env'), 'PORT=4000\nLOG_LEVEL=debug\n# comment\n');
    const config = loadConfig(withDotenv({ LOG_LEVEL: 'warn' }, dir));
    expect(config.port).toBe(4000);
    expect(config.logLevel).toBe('warn');
  });

  it('is optional', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atrium-env-'));
    expect(withDotenv({ PORT: '1' }, dir)).toEqual({ PORT: '1' });
  });

  it('.env.example is written from the documented schema (pnpm docs:config)', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    expect(example).toBe(envExample());
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(EnvSchema.properties).sort());
  });

  it("the README's configuration table lists every variable, as pnpm docs:config writes it", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const table = readme.split(README_TABLE.begin)[1]?.split(README_TABLE.end)[0];
    // Biome aligns the table's columns; compare the cells.
    const cells = (markdown: string) =>
      markdown.trim().replace(/ +/g, ' ').replace(/-{3,}/g, '---');
    expect(cells(table ?? '')).toBe(cells(configTable()));
    for (const name of Object.keys(EnvSchema.properties)) expect(table).toContain(`| \`${name}\` `);
  });
});

describe('uploads and storage', () => {
  it('defaults to local storage under DATA_DIR, the SPEC allow-list, 100 MiB and scanning on', () => {
    const config = loadConfig({ DATA_DIR: '/srv/atrium' });
    expect(config.storage).toEqual({ driver: 'local', root: '/srv/atrium/uploads' });
    expect(config.uploads).toMatchObject({
      maxBytes: 104_857_600,
      urlTtlSeconds: 900,
      scan: true,
      retentionDays: 30,
      limits: { perIp: 20, perEmail: 10 },
    });
    expect(config.uploads.types).toEqual(
      expect.arrayContaining(['text/csv', 'image/webp', 'audio/flac', 'application/json']),
    );
    expect(config.scanner).toBeUndefined();
    expect(config.publicApiUrl).toBe('http://127.0.0.1:3000');
  });

  it('needs a bucket for S3, and turns path-style on with an endpoint unless told otherwise', () => {
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET is required/);
    const s3 = { STORAGE_DRIVER: 's3', S3_BUCKET: 'uploads', S3_ENDPOINT: 'http://minio:9000' };
    expect(loadConfig(s3).storage).toMatchObject({ driver: 's3', forcePathStyle: true });
    expect(loadConfig({ ...s3, S3_FORCE_PATH_STYLE: 'false' }).storage).toMatchObject({
      forcePathStyle: false,
    });
    expect(loadConfig({ ...s3, S3_ENDPOINT: '' }).storage).toMatchObject({ forcePathStyle: false });
  });

  it('takes clamd over TCP or a socket, not both', () => {
    expect(loadConfig({ CLAMAV_HOST: 'clamd' }).scanner).toEqual({ host: 'clamd', port: 3310 });
    expect(loadConfig({ CLAMAV_SOCKET: '/run/clamd.sock' }).scanner).toEqual({
      socket: '/run/clamd.sock',
    });
    expect(() => loadConfig({ CLAMAV_HOST: 'clamd', CLAMAV_SOCKET: '/run/c.sock' })).toThrow(
      ConfigError,
    );
  });

  it.each([
    ['UPLOAD_TYPES', 'text/csv; charset=utf-8'],
    ['UPLOAD_TYPES', 'text/csv,,image/png'],
    ['UPLOAD_MAX_BYTES', '0'],
    ['UPLOAD_URL_TTL', '10'],
    ['UPLOAD_SCAN', 'maybe'],
    ['UPLOAD_SIGNING_SECRET', 'short'],
    ['PUBLIC_API_URL', 'http://api.example.com/'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be`));
  });

  it('never shows the upload signing secret in an error', () => {
    expect(() => loadConfig({ UPLOAD_SIGNING_SECRET: 'too-short-secret' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('too-short-secret') }),
    );
  });
});

describe('session lifetimes and email verification', () => {
  it('default to 15-minute access tokens, 7-day refresh tokens and idle timeout, verification optional', () => {
    const config = loadConfig({});
    expect(config.sessions).toEqual({
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 604_800,
      idleTimeoutSeconds: 604_800,
    });
    expect(config.emailVerificationRequired).toBe(false);
  });

  it('take each lifetime in seconds and EMAIL_VERIFICATION_REQUIRED=true', () => {
    const config = loadConfig({
      ACCESS_TOKEN_TTL: '300',
      REFRESH_TOKEN_TTL: '86400',
      SESSION_IDLE_TIMEOUT: '1800',
      EMAIL_VERIFICATION_REQUIRED: 'true',
    });
    expect(config.sessions).toEqual({
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 86_400,
      idleTimeoutSeconds: 1800,
    });
    expect(config.emailVerificationRequired).toBe(true);
  });

  it.each([
    ['ACCESS_TOKEN_TTL', '10'],
    ['ACCESS_TOKEN_TTL', '15m'],
    ['REFRESH_TOKEN_TTL', '0'],
    ['SESSION_IDLE_TIMEOUT', '-1'],
    ['EMAIL_VERIFICATION_REQUIRED', 'yes'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be`));
  });

  it('refuses an idle timeout shorter than an access token lives', () => {
    expect(() => loadConfig({ ACCESS_TOKEN_TTL: '900', SESSION_IDLE_TIMEOUT: '600' })).toThrow(
      /^SESSION_IDLE_TIMEOUT must be at least ACCESS_TOKEN_TTL/,
    );
  });
});
