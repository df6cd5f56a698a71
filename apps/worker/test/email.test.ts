import { outbox } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { logCrm } from '@atrium/integrations/crm';
import type { MailTransport } from '@atrium/integrations/mail';
import { type SmtpSink, startSmtpSink } from '@atrium/integrations/testing';
import { openQueues } from '@atrium/jobs/bullmq';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProcessors, startWorker } from '../src/index.js';
import {
  context,
  enqueueOne,
  log,
  smtpFixture,
  testDatabase,
  testUploadDeps,
  unique,
  workerConfig,
} from './support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
let sink: SmtpSink;
let mail: MailTransport;
let closeMail: () => Promise<void>;
beforeAll(async () => {
  database = await testDatabase();
  ({ sink, mail, close: closeMail } = await smtpFixture());
});
afterAll(async () => {
  await closeMail();
  await database.dispose();
});

const reset = (to: string) => ({
  to,
  template: 'password-reset' as const,
  data: { name: '<i>Ada</i>', token: 't1' },
});
const receivedBy = (to: string) =>
  sink.received.filter((m) => m.to && 'text' in m.to && m.to.text === to);

describe('the email processor', () => {
  const processors = () =>
    createProcessors({
      db: database.db,
      mail,
      crm: logCrm(log),
      publicAppUrl: 'https://app.example.com',
      uploads: testUploadDeps(),
    });

  it('sends once when the same job is delivered twice', async () => {
    const to = `${unique()}@example.com`;
    const key = unique();
    const { email } = processors();
    await email(reset(to), context('email', key));
    await email(reset(to), { ...context('email', key), attempt: 2 });
    expect(receivedBy(to)).toHaveLength(1);
  });

  it('sends once when two workers run the same job at the same time', async () => {
    const to = `${unique()}@example.com`;
    const key = unique();
    const { email } = processors();
    await Promise.allSettled([
      email(reset(to), context('email', key)),
      email(reset(to), context('email', key)),
    ]);
    expect(receivedBy(to)).toHaveLength(1);
  });
});

describe('email through the worker on BullMQ', () => {
  it('arrives over SMTP with its headers and escaped content', async () => {
    const config = workerConfig({ SMTP_URL: sink.url, MAIL_FROM: 'Atrium <no-reply@example.com>' });
    const worker = await startWorker({ config, database, log });
    const to = `${unique()}@example.com`;
    try {
      await enqueueOne(database, 'email', reset(to));
      await vi.waitFor(() => expect(receivedBy(to)).toHaveLength(1), { timeout: 10_000 });
    } finally {
      await worker.close();
    }
    const [mail] = receivedBy(to);
    expect(mail?.from?.text).toBe('"Atrium" <no-reply@example.com>');
    expect(mail?.subject).toBe('Reset your password');
    expect(mail?.messageId).toMatch(/^<[0-9a-f]{32}@atrium\.invalid>$/);
    expect(mail?.html).toContain('Hello &lt;i&gt;Ada&lt;/i&gt;,');
    expect(mail?.html).toContain('href="https://app.example.com/reset-password#token=t1"');
  });

  it('retries an email the SMTP server refuses, then keeps the job failed with its error', async () => {
    const refusing = await startSmtpSink({ refuse: { code: 451, message: 'mailbox busy' } });
    const config = workerConfig({ SMTP_URL: refusing.url, JOB_ATTEMPTS: '3' });
    const worker = await startWorker({ config, database, log, retryBaseDelayMs: 20 });
    const readers = openQueues(config.redisUrl!, config.queuePrefix, ['email']);
    try {
      const id = await enqueueOne(database, 'email', reset(`${unique()}@example.com`));
      const job = await vi.waitFor(
        async () => {
          const found = await readers.queues[0]!.getJob(id);
          expect(await found?.getState()).toBe('failed');
          // Read again: `found` may predate the last attempt that failed it.
          return (await readers.queues[0]!.getJob(id))!;
        },
        { timeout: 15_000, interval: 100 },
      );
      expect(job.attemptsMade).toBe(3);
      expect(job.failedReason).toContain('mailbox busy');
      expect(refusing.attempts).toBe(3);
    } finally {
      await readers.close();
      await worker.close();
      await refusing.close();
    }
  });
});

describe('job metrics', () => {
  it('observes each job attempt in a duration histogram by queue and outcome', async () => {
    const metrics = new Registry();
    const config = workerConfig({ SMTP_URL: sink.url });
    const worker = await startWorker({ config, database, log, metrics });
    const to = `${unique()}@example.com`;
    try {
      await enqueueOne(database, 'email', reset(to));
      await vi.waitFor(
        async () =>
          expect(await metrics.metrics()).toContain(
            'atrium_job_duration_seconds_count{queue="email",outcome="completed"} 1',
          ),
        { timeout: 10_000 },
      );
    } finally {
      await worker.close();
    }
  });
});

describe('email in-process', () => {
  it('fails a job whose template data is invalid at once, without retrying', async () => {
    const config = workerConfig({ REDIS_URL: '', SMTP_URL: sink.url });
    const worker = await startWorker({ config, database, log, retryBaseDelayMs: 20 });
    try {
      const bad = { to: 'a@example.com', template: 'password-reset' as const, data: {} };
      const id = await enqueueOne(database, 'email', bad);
      const row = await vi.waitFor(
        async () => {
          const [found] = await database.db.select().from(outbox).where(eq(outbox.id, id));
          expect(found?.status).toBe('failed');
          return found!;
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/password-reset is invalid/);
    } finally {
      await worker.close();
    }
  });
});
