import { randomUUID } from 'node:crypto';
import type { CrmSyncJob, EmailJob, FormFollowup, FormType } from '@atrium/contracts';
import { deliveries, formSubmissions, leads } from '@atrium/db';
import { eq, like } from '@atrium/db/orm';
import { findFormSubmission, formJobKey, normalizeEmail, upsertLead } from '@atrium/db/queries';
import { hubspotCrm } from '@atrium/integrations/crm';
import { type MailTransport, renderEmail } from '@atrium/integrations/mail';
import { type HubspotStub, type SmtpSink, startHubspotStub } from '@atrium/integrations/testing';
import type { Logger } from '@atrium/jobs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProcessors, startWorker } from '../src/index.js';
import { confirmationEmail, crmJob, salesEmail } from '../src/processors/form-messages.js';
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
let stub: HubspotStub;
beforeAll(async () => {
  database = await testDatabase();
  ({ sink, mail, close: closeMail } = await smtpFixture());
});
afterAll(async () => {
  await closeMail();
  await database.dispose();
});
beforeEach(async () => {
  stub = await startHubspotStub();
});
afterEach(() => stub.close());

const APP_URL = 'https://app.example.com';
const SALES = 'sales@example.com';

/** Each form as a sender might type it (the email's case kept), with what follows from it. */
const FORMS = {
  contact: () => {
    const email = `Ada-${unique()}@Example.com`;
    const form = {
      name: 'Ada Lovelace',
      email,
      company: 'Analytical Engines',
      message: 'We would like to talk about a project.',
      consent: true,
    };
    const lines = `Name: Ada Lovelace\nEmail: ${email}\nCompany: Analytical Engines\n\nWe would like to talk about a project.`;
    return {
      form,
      confirmation: {
        template: 'form-confirmation',
        data: { name: 'Ada Lovelace', formName: 'message' },
      },
      sales: { formName: 'message', message: lines },
      crm: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        company: 'Analytical Engines',
        note: `Website message\n\n${lines}`,
      },
    };
  },
  'demo-request': () => {
    const email = `grace-${unique()}@example.com`;
    const form = {
      name: 'Grace Hopper',
      email,
      phone: '+1 555 0100',
      service: 'Data pipelines',
      // 09:00 and 14:30 UTC are 10:00 and 15:30 in Paris in December.
      preferredDates: ['2026-12-01T09:00:00.000Z', '2026-12-02T14:30:00.000Z'],
      timeZone: 'Europe/Paris',
    };
    const slots = ['Tuesday 1 December 2026 at 10:00', 'Wednesday 2 December 2026 at 15:30'];
    const lines = `Name: Grace Hopper\nEmail: ${email}\nPhone: +1 555 0100\nService: Data pipelines\nTime zone: Europe/Paris\nProposed times: ${slots.join('; ')}`;
    return {
      form,
      confirmation: {
        template: 'demo-confirmation',
        data: { name: 'Grace Hopper', service: 'Data pipelines', timeZone: 'Europe/Paris', slots },
      },
      sales: { formName: 'demo request', message: lines },
      crm: {
        firstName: 'Grace',
        lastName: 'Hopper',
        phone: '+1 555 0100',
        note: `Website demo request\n\n${lines}`,
      },
    };
  },
  'quote-request': () => {
    const email = `alan-${unique()}@example.com`;
    const form = {
      name: 'Alan Turing',
      email,
      company: 'Bletchley',
      service: 'Annotation',
      budgetRange: '10k-50k EUR',
      timeline: 'Q1 2027',
      volume: '20 000 documents',
    };
    const lines = `Name: Alan Turing\nEmail: ${email}\nCompany: Bletchley\nService: Annotation\nBudget: 10k-50k EUR\nTimeline: Q1 2027\nVolume: 20 000 documents`;
    return {
      form,
      confirmation: {
        template: 'form-confirmation',
        data: { name: 'Alan Turing', formName: 'quote request' },
      },
      sales: { formName: 'quote request', message: lines },
      crm: {
        firstName: 'Alan',
        lastName: 'Turing',
        company: 'Bletchley',
        note: `Website quote request\n\n${lines}`,
        deal: {
          name: 'Annotation for Bletchley',
          description: 'Budget: 10k-50k EUR; timeline: Q1 2027; volume: 20 000 documents',
        },
      },
    };
  },
} satisfies Record<FormType, () => unknown>;

/**
 * A form stored as the API stores it: the lead, then the submission pointing at it. `change`
 * alters the form (the expectations are the unaltered form's).
 */
async function storedForm(type: FormType, change: Record<string, string> = {}) {
  const sample = FORMS[type]();
  const form = { ...sample.form, ...change };
  const lead = await upsertLead(database.db, { email: form.email, name: form.name });
  const id = randomUUID();
  await database.db.insert(formSubmissions).values({
    id,
    type,
    leadId: lead.id,
    email: normalizeEmail(form.email),
    payload: form,
    ip: '10.0.0.1',
    bodyHash: id,
  });
  const expected = {
    confirmation: { to: form.email, ...sample.confirmation } as EmailJob,
    sales: {
      to: SALES,
      template: 'sales-notification',
      data: { ...sample.sales, fromEmail: form.email, submissionId: id },
    } as EmailJob,
    crm: { email: normalizeEmail(form.email), ...sample.crm } as CrmSyncJob,
  };
  return { id, leadId: lead.id, form, expected };
}

/** ICU writes "Tuesday, 1 December" or "Tuesday 1 December" by version: compared without it. */
const withoutWeekdayComma = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value).replace(/day, /g, 'day '));

const processors = () =>
  createProcessors({
    db: database.db,
    mail,
    crm: hubspotCrm({
      token: 'pat-test-token',
      baseUrl: stub.url,
      deal: { pipeline: 'p', stage: 's' },
    }),
    publicAppUrl: APP_URL,
    uploads: testUploadDeps(),
  });

/** Mail the sink received for `to` (the parsed header may change the address's case). */
const receivedBy = (to: string) =>
  sink.received.filter(
    (m) => m.to && 'text' in m.to && m.to.text.toLowerCase() === to.toLowerCase(),
  );

const job = (submissionId: string, effect: FormFollowup) =>
  effect === 'sales'
    ? { submissionId, effect, to: SALES }
    : { submissionId, effect: effect as 'confirmation' | 'crm' };

describe('what a form is followed by', () => {
  it.each(Object.keys(FORMS) as FormType[])(
    'builds the same emails and CRM sync for a %s as the form always had',
    async (type) => {
      const { id, expected } = await storedForm(type);
      const submission = (await findFormSubmission(database.db, id))!;
      expect(withoutWeekdayComma(confirmationEmail(submission))).toEqual(expected.confirmation);
      expect(withoutWeekdayComma(salesEmail(submission, SALES))).toEqual(expected.sales);
      expect(withoutWeekdayComma(crmJob(submission))).toEqual(expected.crm);
    },
  );
});

describe('the form-followup processor', () => {
  it.each(Object.keys(FORMS) as FormType[])(
    'sends the %s confirmation and notification and syncs the CRM once each, though each job comes twice',
    async (type) => {
      const { id, form, expected } = await storedForm(type);
      const { 'form-followup': followUp } = processors();
      for (const effect of ['confirmation', 'sales', 'crm'] as const) {
        const key = formJobKey(id, effect);
        await followUp(job(id, effect), context('form-followup', key));
        await followUp(job(id, effect), { ...context('form-followup', key), attempt: 2 });
      }
      // Each email as the form's old email job rendered: the same subject and text.
      for (const email of [expected.confirmation, expected.sales]) {
        const sent = receivedBy(email.to).filter((m) => email.to !== SALES || m.text?.includes(id));
        expect(sent).toHaveLength(1);
        const rendered = renderEmail(email.template, email.data, APP_URL);
        expect(sent[0]!.subject).toBe(rendered.subject);
        expect(withoutWeekdayComma(sent[0]!.text?.trim())).toBe(rendered.text.trim());
      }
      const contact = stub.contacts.get(normalizeEmail(form.email))!;
      expect(contact.properties).toEqual({
        email: expected.crm.email,
        firstname: expected.crm.firstName,
        lastname: expected.crm.lastName,
        company: expected.crm.company,
        phone: expected.crm.phone,
      });
      expect(withoutWeekdayComma(stub.notes)).toEqual([
        { body: expected.crm.note, contactId: contact.id },
      ]);
      expect(stub.deals.map((d) => d.properties)).toEqual(
        expected.crm.deal
          ? [
              {
                dealname: expected.crm.deal.name,
                description: expected.crm.deal.description,
                pipeline: 'p',
                dealstage: 's',
              },
            ]
          : [],
      );
      const effects = await database.db
        .select({ kind: deliveries.kind, key: deliveries.key, status: deliveries.status })
        .from(deliveries)
        .where(like(deliveries.key, `form:${id}:%`));
      expect(effects).toEqual(
        expect.arrayContaining([
          { kind: 'email', key: formJobKey(id, 'confirmation'), status: 'done' },
          { kind: 'email', key: formJobKey(id, 'sales'), status: 'done' },
          { kind: 'crm-upsert', key: formJobKey(id, 'crm'), status: 'done' },
          { kind: 'crm-note', key: formJobKey(id, 'crm'), status: 'done' },
        ]),
      );
    },
  );
});

describe('the form-followup processor, when the form is unusual or gone', () => {
  it('escapes the HTML a sender typed in both parts of every email', async () => {
    const script = '<script>alert("x")</script>';
    const { id, form } = await storedForm('demo-request', {
      name: `<b>Mallory</b> ${script}`,
      company: '<img src=x onerror=alert(1)>',
      service: script,
      message: `Hi ${script}`,
    });
    const { 'form-followup': followUp } = processors();
    for (const effect of ['confirmation', 'sales'] as const) {
      await followUp(job(id, effect), context('form-followup', formJobKey(id, effect)));
    }
    const sent = [
      ...receivedBy(form.email),
      ...receivedBy(SALES).filter((m) => m.text?.includes(id)),
    ];
    expect(sent).toHaveLength(2);
    for (const email of sent) {
      expect(email.html).not.toMatch(/<script|<b>|<img/);
      expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(email.text).toContain(script);
      expect(email.subject).not.toMatch(/[\r\n]/);
    }
  });

  it('completes without sending anything when the lead was erased after the jobs were queued', async () => {
    const { id, leadId, form } = await storedForm('quote-request');
    await database.db.delete(leads).where(eq(leads.id, leadId));
    const said: { msg: string | undefined; obj: object }[] = [];
    const recording: Logger = { ...log, info: (obj, msg) => said.push({ obj, msg }) };
    const { 'form-followup': followUp } = processors();
    for (const effect of ['confirmation', 'sales', 'crm'] as const) {
      await followUp(job(id, effect), {
        ...context('form-followup', formJobKey(id, effect)),
        log: recording,
      });
    }
    expect(receivedBy(form.email)).toEqual([]);
    expect(receivedBy(SALES).filter((m) => m.text?.includes(id))).toEqual([]);
    expect(stub.requests).toEqual([]);
    expect(said).toEqual(
      ['confirmation', 'sales', 'crm'].map((effect) => ({
        obj: expect.objectContaining({ submissionId: id, effect }),
        msg: expect.stringMatching(/submission is gone/),
      })),
    );
    const effects = await database.db
      .select()
      .from(deliveries)
      .where(like(deliveries.key, `form:${id}:%`));
    expect(effects).toEqual([]);
  });
});

describe('form-followup through the outbox and the worker on BullMQ', () => {
  it("sends a submission's emails and syncs HubSpot from the three references", async () => {
    const { id, form, expected } = await storedForm('quote-request');
    const config = workerConfig({
      SMTP_URL: sink.url,
      HUBSPOT_TOKEN: 'pat-test-token',
      HUBSPOT_BASE_URL: stub.url,
    });
    const worker = await startWorker({ config, database, log });
    try {
      for (const effect of ['confirmation', 'sales', 'crm'] as const) {
        await enqueueOne(database, 'form-followup', job(id, effect), formJobKey(id, effect));
      }
      await vi.waitFor(
        () => {
          expect(receivedBy(form.email)).toHaveLength(1);
          expect(receivedBy(SALES).filter((m) => m.text?.includes(id))).toHaveLength(1);
          expect(stub.deals).toHaveLength(1);
        },
        { timeout: 15_000, interval: 50 },
      );
    } finally {
      await worker.close();
    }
    expect(receivedBy(form.email)[0]!.subject).toBe('We received your quote request');
    expect(stub.notes.map((n) => n.body)).toEqual([expected.crm.note]);
    expect(stub.deals[0]!.properties.dealname).toBe('Annotation for Bletchley');
  });
});
