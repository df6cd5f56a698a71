import { FormTypes } from '@atrium/contracts';
import { formSubmissions, leads, outbox } from '@atrium/db';
import { count, eq, sql } from '@atrium/db/orm';
import { FORM_JOBS, formJobKey } from '@atrium/db/queries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forms, freshIp, jobsOf, submissionRow, submit, uniqueEmail } from './forms-support.js';
import { testApp } from './support.js';

let app: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  app = await testApp({
    SALES_INBOX: 'sales@example.com',
    FORM_LIMIT_PER_IP: '10',
    FORM_LIMIT_PER_EMAIL: '3',
  });
});
afterAll(async () => app?.dispose());

const leadOf = async (email: string) => {
  const rows = await app.db.select().from(leads).where(eq(leads.email, email.toLowerCase()));
  return rows;
};

describe('submitting a form', () => {
  it.each(FormTypes)(
    'accepts %s with 202 and stores it with its lead and three jobs',
    async (type) => {
      const form = forms[type]();
      const response = await submit(app, type, form);
      expect(response.statusCode).toBe(202);
      const { id } = response.json();
      const row = await submissionRow(app, id);
      expect(row).toMatchObject({ type, spam: false, email: form.email });
      const { captchaToken: _, ...stored } = form;
      expect(row!.payload).toEqual(stored);
      const [lead] = await leadOf(form.email as string);
      expect(row!.leadId).toBe(lead!.id);
      const jobs = await jobsOf(app, id);
      expect(jobs.map((j) => j.key)).toEqual([
        `form:${id}:confirmation`,
        `form:${id}:crm`,
        `form:${id}:sales`,
      ]);
      // References only: the worker reads the form from the submission's row.
      expect(jobs.map((j) => [j.queue, j.payload])).toEqual([
        ['form-followup', { submissionId: id, effect: 'confirmation' }],
        ['form-followup', { submissionId: id, effect: 'crm' }],
        ['form-followup', { submissionId: id, effect: 'sales', to: 'sales@example.com' }],
      ]);
    },
  );

  it('queues no sales notification without a SALES_INBOX', async () => {
    const bare = await testApp();
    try {
      const response = await submit(bare, 'contact', forms.contact());
      expect(response.statusCode).toBe(202);
      const jobs = await jobsOf(bare, response.json().id);
      expect(jobs.map((j) => j.payload)).toEqual([
        { submissionId: response.json().id, effect: 'confirmation' },
        { submissionId: response.json().id, effect: 'crm' },
      ]);
    } finally {
      await bare.dispose();
    }
  });

  it('keeps one lead per email, whatever its case, refreshing what the new form gives', async () => {
    const email = uniqueEmail('case');
    await submit(app, 'contact', { ...forms.contact(), email, company: undefined });
    await submit(app, 'contact', {
      ...forms.contact(),
      email: email.toUpperCase(),
      phone: '+33 1 23',
    });
    const rows = await leadOf(email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ company: 'Analytical Engines', phone: '+33 1 23' });
  });

  it('answers a filled honeypot like any form, storing it as spam with no lead and no job', async () => {
    const form = { ...forms.contact(), website: 'http://spam.example' };
    const response = await submit(app, 'contact', form);
    expect(response.statusCode).toBe(202);
    const row = await submissionRow(app, response.json().id);
    expect(row).toMatchObject({ spam: true, leadId: null });
    expect(await leadOf(form.email as string)).toEqual([]);
    expect(await jobsOf(app, response.json().id)).toEqual([]);
  });
});

describe('Idempotency-Key', () => {
  it('makes a retried submission one submission with one set of jobs', async () => {
    const form = forms['quote-request']();
    const key = `retry-${freshIp()}-${Date.now()}`;
    const first = await submit(app, 'quote-request', form, { key });
    // Keys in another order are the same form.
    const reordered = Object.fromEntries(Object.entries(form).reverse());
    const again = await submit(app, 'quote-request', reordered, { key });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.json().id).toBe(first.json().id);
    const [{ n }] = (await app.db
      .select({ n: count() })
      .from(formSubmissions)
      .where(eq(formSubmissions.email, form.email as string))) as [{ n: number }];
    expect(n).toBe(1);
    expect(await jobsOf(app, first.json().id)).toHaveLength(3);
  });

  it('makes concurrent submissions with one key one submission', async () => {
    const form = forms.contact();
    const key = `race-${freshIp()}-${Date.now()}`;
    const answers = await Promise.all(
      // Three: this app's FORM_LIMIT_PER_EMAIL (each attempt counts against it).
      Array.from({ length: 3 }, () => submit(app, 'contact', form, { key })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    const rows = await app.db
      .select()
      .from(formSubmissions)
      .where(eq(formSubmissions.email, form.email));
    expect(rows).toHaveLength(1);
    // The losers' statements failed whole: no job of theirs (keyed by a submission that was never
    // stored) was written beside the winner's.
    const orphans = await app.db
      .select({ key: outbox.idempotencyKey })
      .from(outbox)
      .where(
        sql`${outbox.idempotencyKey} like 'form:%' and not exists (select 1 from ${formSubmissions}
          where ${outbox.idempotencyKey} like 'form:' || ${formSubmissions.id} || ':%')`,
      );
    expect(orphans).toEqual([]);
    expect((await jobsOf(app, rows[0]!.id)).map((j) => j.key).sort()).toEqual(
      FORM_JOBS.map((job) => formJobKey(rows[0]!.id, job)).sort(),
    );
  });

  it('answers 422 to the same key with a different body, storing nothing', async () => {
    const key = `reuse-${freshIp()}-${Date.now()}`;
    const form = forms.contact();
    expect((await submit(app, 'contact', form, { key })).statusCode).toBe(202);
    const other = await submit(app, 'contact', { ...form, message: 'changed' }, { key });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    const rows = await app.db
      .select()
      .from(formSubmissions)
      .where(eq(formSubmissions.email, form.email as string));
    expect(rows).toHaveLength(1);
  });
});

describe('bad input and abuse', () => {
  it('refuses unknown fields with 400 naming each', async () => {
    const response = await submit(app, 'contact', { ...forms.contact(), admin: true, cc: 'x' });
    expect(response.statusCode).toBe(400);
    const paths = response.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/body/admin', '/body/cc']));
  });

  it('refuses a 1 MB message with 413 before reading it', async () => {
    const response = await submit(app, 'contact', {
      ...forms.contact(),
      message: 'x'.repeat(1_000_000),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('payload_too_large');
  });

  it('refuses a message longer than 5000 characters with 400', async () => {
    const response = await submit(app, 'contact', {
      ...forms.contact(),
      message: 'x'.repeat(5001),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('/body/message');
  });

  it.each([
    ['name', { name: 'Eve\r\nBcc: all@example.com' }],
    ['email', { email: 'eve@example.com\r\nBcc: all@example.com' }],
    ['company', { company: 'Acme\nX-Injected: 1' }],
  ])('refuses CR/LF in %s, so no mail header can be added', async (field, change) => {
    const response = await submit(app, 'contact', { ...forms.contact(), ...change });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(`/body/${field}`);
  });

  it('refuses a time zone that is not an IANA zone', async () => {
    const response = await submit(app, 'demo-request', {
      ...forms['demo-request'](),
      timeZone: 'Mars/Olympus',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('/body/timeZone');
  });

  it('stores HTML and script as text, as sent (the worker escapes them in the emails)', async () => {
    const script = '<script>alert("x")</script>';
    const form = {
      ...forms['demo-request'](),
      name: `<b>Mallory</b> ${script}`,
      company: `<img src=x onerror=alert(1)>`,
      service: script,
      message: `Hi ${script}`,
    };
    const response = await submit(app, 'demo-request', form);
    expect(response.statusCode).toBe(202);
    const row = await submissionRow(app, response.json().id);
    expect(row!.payload).toMatchObject({
      name: form.name,
      company: form.company,
      service: form.service,
      message: form.message,
    });
  });

  it('answers 429 after FORM_LIMIT_PER_IP submissions a minute, losing none before it', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    const accepted: string[] = [];
    for (let i = 0; i < 100; i++) {
      const response = await submit(app, 'contact', forms.contact(), { ip });
      statuses.push(response.statusCode);
      if (response.statusCode === 202) accepted.push(response.json().id);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
    expect(statuses.slice(10)).toEqual(Array(90).fill(429));
    const rows = await Promise.all(accepted.map((id) => submissionRow(app, id)));
    expect(rows.every((row) => row?.ip === ip)).toBe(true);
  });

  it('answers 429 after FORM_LIMIT_PER_EMAIL submissions from one email, from any IP', async () => {
    const email = uniqueEmail('busy');
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await submit(app, 'contact', { ...forms.contact(), email })).statusCode);
    }
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
  });
});
