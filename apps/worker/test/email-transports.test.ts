import { createLogger, loadConfig } from '@atrium/config';
import { deliveries } from '@atrium/db';
import { and, eq } from '@atrium/db/orm';
import { logCrm } from '@atrium/integrations/crm';
import { type SendgridStub, startSendgridStub } from '@atrium/integrations/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailFromConfig } from '../src/integrations.js';
import { createProcessors } from '../src/processors/index.js';
import { context, log, testDatabase, testUploadDeps, unique } from './support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => {
  await database.dispose();
});

const TOKEN = 'secret-reset-token-1234';
const reset = (to: string) => ({
  to,
  template: 'password-reset' as const,
  data: { name: 'Ada', token: TOKEN },
});

/** The worker's mail transport for `env`, logging through a real pino logger into `lines`. */
function transportFor(env: Record<string, string>) {
  const lines: string[] = [];
  const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => lines.push(line) });
  const config = loadConfig({ PUBLIC_APP_URL: 'https://app.example.com', ...env });
  const mail = mailFromConfig(config, logger);
  const { email } = createProcessors({
    db: database.db,
    mail,
    crm: logCrm(log),
    publicAppUrl: config.publicAppUrl,
    uploads: testUploadDeps(),
  });
  return { email, mail, lines };
}

async function deliveryStatus(key: string) {
  const [row] = await database.db
    .select({ status: deliveries.status })
    .from(deliveries)
    .where(and(eq(deliveries.kind, 'email'), eq(deliveries.key, key)));
  return row?.status;
}

/** What staging requires besides a mail transport. */
const STAGING = {
  NODE_ENV: 'staging',
  JWT_SECRET: 's'.repeat(32),
  CORS_ORIGINS: 'https://app.example.com',
  DATABASE_URL: 'postgres://u@db.invalid:5432/atrium',
  PUBLIC_API_URL: 'https://api.example.com',
};

describe('the console mail transport', () => {
  it.each([
    ['test', { NODE_ENV: 'test' }],
    ['staging', STAGING],
  ])('logs no email body, link or token in %s', async (_, env) => {
    const { email, mail, lines } = transportFor({ ...env, MAIL_TRANSPORT: 'console' });
    const to = `${unique()}@example.com`;
    await email(reset(to), context('email', unique()));
    expect(mail.name).toBe('console');
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((entry) => entry.to === to)).toMatchObject({
      subject: 'Reset your password',
    });
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines.join('\n')).not.toContain('reset-password');
  });

  it('logs the body, with its link, in development', async () => {
    const { email, lines } = transportFor({ NODE_ENV: 'development' });
    await email(reset(`${unique()}@example.com`), context('email', unique()));
    expect(lines.join('\n')).toContain(`reset-password#token=${TOKEN}`);
  });
});

describe('an email that was not sent', () => {
  it('is recorded as logged, not as delivered, by the console transport', async () => {
    const { email } = transportFor({ NODE_ENV: 'test' });
    const key = unique();
    await email(reset(`${unique()}@example.com`), context('email', key));
    expect(await deliveryStatus(key)).toBe('logged');
  });

  it('is recorded as not sent with MAIL_TRANSPORT=none, and not tried again', async () => {
    const { email, mail, lines } = transportFor({ NODE_ENV: 'test', MAIL_TRANSPORT: 'none' });
    const key = unique();
    await email(reset(`${unique()}@example.com`), context('email', key));
    await email(reset(`${unique()}@example.com`), { ...context('email', key), attempt: 2 });
    expect(mail.name).toBe('none');
    expect(await deliveryStatus(key)).toBe('not_sent');
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('MAIL_TRANSPORT=sendgrid', () => {
  let stub: SendgridStub;
  beforeAll(async () => {
    stub = await startSendgridStub();
  });
  afterAll(() => stub.close());

  it('sends through the SendGrid API once per key, with the Message-ID the key gives, recorded as delivered', async () => {
    const { email, mail } = transportFor({
      NODE_ENV: 'test',
      MAIL_TRANSPORT: 'sendgrid',
      SENDGRID_API_KEY: stub.apiKey,
      SENDGRID_API_URL: stub.url,
    });
    const key = unique();
    const to = `${unique()}@example.com`;
    await email(reset(to), context('email', key));
    await email(reset(to), { ...context('email', key), attempt: 2 });
    expect(mail.name).toBe('sendgrid');
    expect(stub.accepted).toHaveLength(1);
    const messageId = stub.accepted[0]!.headers!['Message-ID']!;
    expect(messageId).toMatch(/^<[0-9a-f]{32}@atrium\.invalid>$/);
    expect(stub.accepted[0]!.custom_args).toEqual({ atrium_message_id: messageId });
    expect(await deliveryStatus(key)).toBe('done');
  });

  it('refuses to start without SENDGRID_API_KEY, naming it', () => {
    expect(() => loadConfig({ MAIL_TRANSPORT: 'sendgrid' })).toThrow(
      /SENDGRID_API_KEY is required/,
    );
  });
});
