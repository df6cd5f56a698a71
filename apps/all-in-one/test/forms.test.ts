import { outbox, users } from '@atrium/db';
import { eq, like } from '@atrium/db/orm';
import {
  type HubspotStub,
  type SendgridStub,
  type SmtpSink,
  startHubspotStub,
  startSendgridStub,
  startSmtpSink,
} from '@atrium/integrations/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStack } from './stack.js';

/**
 * A marketing site's whole path: the three forms submitted to the API, the worker sending the
 * emails (SMTP, or SendGrid's API) and syncing HubSpot, the lead's timeline reading the result.
 * On the embedded default (PGlite, jobs in-process) and on PostgreSQL + Redis (BullMQ).
 */
const SETUPS = [
  ['the embedded default, over SMTP', { server: false, mail: 'smtp' }],
  ['PostgreSQL + Redis, over SMTP', { server: true, mail: 'smtp' }],
  ['PostgreSQL + Redis, through SendGrid', { server: true, mail: 'sendgrid' }],
] as const;

describe.each(SETUPS)('the website forms end to end on %s', (_name, setup) => {
  let sink: SmtpSink;
  let sendgrid: SendgridStub;
  let hubspot: HubspotStub;
  let stack: Awaited<ReturnType<typeof startStack>>;

  beforeAll(async () => {
    [sink, sendgrid, hubspot] = await Promise.all([
      startSmtpSink(),
      startSendgridStub(),
      startHubspotStub(),
    ]);
    stack = await startStack({
      server: setup.server,
      env: {
        PUBLIC_APP_URL: 'https://www.example.com',
        SALES_INBOX: 'sales@example.com',
        HUBSPOT_TOKEN: 'pat-test-token',
        HUBSPOT_BASE_URL: hubspot.url,
        HUBSPOT_DEAL_PIPELINE: 'website',
        HUBSPOT_DEAL_STAGE: 'new-quote',
        ...(setup.mail === 'smtp'
          ? { SMTP_URL: sink.url }
          : {
              MAIL_TRANSPORT: 'sendgrid',
              SENDGRID_API_KEY: sendgrid.apiKey,
              SENDGRID_API_URL: sendgrid.url,
            }),
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await Promise.all([sink?.close(), sendgrid?.close(), hubspot?.close()]);
  });

  const post = (path: string, payload: object) =>
    stack.app.inject({ method: 'POST', url: `/api/v1${path}`, payload });

  /** Every email sent, as (to, subject), from whichever transport this setup uses. */
  const sent = () =>
    setup.mail === 'smtp'
      ? sink.received.map((m) => ({
          to: (m.to as { text: string }).text,
          subject: m.subject ?? '',
          text: m.text ?? '',
        }))
      : sendgrid.accepted.map((m) => ({
          to: m.personalizations[0]!.to[0]!.email,
          subject: m.subject,
          text: m.content[0]!.value,
        }));

  it('sends every confirmation and notification, and syncs HubSpot with notes and a deal', async () => {
    const email = 'ada@example.com';
    const contact = await post('/contact', {
      name: 'Ada Lovelace',
      email,
      company: 'Engines',
      message: 'Hello',
    });
    const demo = await post('/demo-request', {
      name: 'Ada Lovelace',
      email: 'ADA@example.com',
      service: 'Pipelines',
      preferredDates: ['2026-12-01T09:00:00Z'],
      timeZone: 'Europe/London',
    });
    const quote = await post('/quote-request', {
      name: 'Ada Lovelace',
      email,
      company: 'Engines',
      service: 'Annotation',
      budgetRange: '10k-50k',
      timeline: 'Q1',
    });
    expect([contact, demo, quote].map((r) => r.statusCode)).toEqual([202, 202, 202]);

    await vi.waitFor(() => expect(sent()).toHaveLength(6), { timeout: 20_000, interval: 50 });
    await vi.waitFor(() => expect(hubspot.deals).toHaveLength(1), {
      timeout: 20_000,
      interval: 50,
    });
    const subjects = sent().map((m) => `${m.to}: ${m.subject}`);
    expect(subjects).toEqual(
      expect.arrayContaining([
        'ada@example.com: We received your message',
        // Sent to the address as given; the lead is the same (normalized) one.
        'ADA@example.com: We received your demo request',
        'ada@example.com: We received your quote request',
        'sales@example.com: New message from ada@example.com',
        'sales@example.com: New demo request from ADA@example.com',
        'sales@example.com: New quote request from ada@example.com',
      ]),
    );
    const demoMail = sent().find((m) => m.subject === 'We received your demo request')!;
    expect(demoMail.text).toMatch(/Tuesday,? 1 December 2026 at 09:00/);
    expect([...hubspot.contacts.keys()]).toEqual(['ada@example.com']);
    await vi.waitFor(() => expect(hubspot.notes).toHaveLength(3), {
      timeout: 20_000,
      interval: 50,
    });
    expect(hubspot.deals[0]!.properties).toMatchObject({
      dealname: 'Annotation for Engines',
      pipeline: 'website',
      dealstage: 'new-quote',
    });
    // The jobs named the submissions only: the person's data never went through the queue.
    const jobs = await stack.app.db
      .select({ queue: outbox.queue, payload: outbox.payload })
      .from(outbox)
      .where(like(outbox.idempotencyKey, 'form:%'));
    expect(jobs).toHaveLength(9);
    expect(new Set(jobs.map((j) => j.queue))).toEqual(new Set(['form-followup']));
    expect(JSON.stringify(jobs)).not.toMatch(/ada@|Lovelace|Engines/i);
  });

  it("shows it all in the lead's timeline, with the HubSpot id on the lead", async () => {
    const superuser = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'admin@example.com', password: 'plum-orbit-cactus-lantern-93' },
    });
    expect(superuser.statusCode).toBe(201);
    // A reader of leads (a superuser holds every permission), made directly.
    await stack.app.db
      .update(users)
      .set({ isSuperuser: true })
      .where(eq(users.email, 'admin@example.com'));
    const login = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'admin@example.com', password: 'plum-orbit-cactus-lantern-93' },
    });
    const headers = { authorization: `Bearer ${login.json().accessToken}` };
    const list = await stack.app.inject({ method: 'GET', url: '/api/v1/leads?q=ada', headers });
    const [lead] = list.json().items;
    expect(lead).toMatchObject({ email: 'ada@example.com', hubspotContactId: '1000' });
    const timeline = await vi.waitFor(
      async () => {
        const response = await stack.app.inject({
          method: 'GET',
          url: `/api/v1/leads/${lead.id}/timeline`,
          headers,
        });
        const events = response.json().events as {
          kind: string;
          status: string;
          detail: { template?: string; to?: string };
        }[];
        expect(
          events.filter((e) => e.kind !== 'form_submission').every((e) => e.status === 'done'),
        ).toBe(true);
        return events;
      },
      { timeout: 10_000, interval: 50 },
    );
    const kinds = timeline.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'form_submission')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'crm_sync')).toHaveLength(3);
    const emails = timeline
      .filter((e) => e.kind === 'email')
      .map((e) => `${e.detail.template} to ${e.detail.to}`);
    expect(emails.sort()).toEqual([
      'demo-confirmation to ADA@example.com',
      'form-confirmation to ada@example.com',
      'form-confirmation to ada@example.com',
      'sales-notification to sales@example.com',
      'sales-notification to sales@example.com',
      'sales-notification to sales@example.com',
    ]);
  });
});
