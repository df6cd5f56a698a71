import { randomBytes } from 'node:crypto';
import { deliveries, formSubmissions, leadErasures, leads, outbox, uploads } from '@atrium/db';
import { eq, like, sql } from '@atrium/db/orm';
import { uploadJobKey } from '@atrium/db/queries';
import { enqueueEmail, once } from '@atrium/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp } from './auth-support.js';
import { forms, submit, uniqueEmail } from './forms-support.js';
import { testApp } from './support.js';
import { type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let reader: Person;
let eraser: Person;
let nobody: Person;
let superuser: Person;

async function withPermissions(permissions: ('forms:read' | 'forms:delete')[]): Promise<Person> {
  const auth = await signUp(app, { permissions });
  return { id: auth.user.id, email: auth.user.email, headers: bearer(auth.accessToken) };
}

beforeAll(async () => {
  app = await testApp({ SALES_INBOX: 'sales@example.com' });
  reader = await withPermissions(['forms:read']);
  eraser = await withPermissions(['forms:read', 'forms:delete']);
  nobody = await person(app);
  superuser = await person(app, { isSuperuser: true });
});
afterAll(async () => app?.dispose());

const get = (url: string, who: Person | null = reader) =>
  app.inject({ method: 'GET', url: `/api/v1${url}`, headers: who?.headers ?? {} });

async function newLead(change: Record<string, unknown> = {}) {
  const form = { ...forms.contact(), ...change };
  const response = await submit(app, 'contact', form);
  expect(response.statusCode).toBe(202);
  const [lead] = await app.db
    .select()
    .from(leads)
    .where(eq(leads.email, form.email as string));
  return { submissionId: response.json().id as string, lead: lead!, form };
}

describe('who reads leads and submissions', () => {
  it.each(['/leads', '/form-submissions', '/form-submissions/export'])(
    'answers 401 anonymous and 403 without forms:read on %s',
    async (url) => {
      expect((await get(url, null)).statusCode).toBe(401);
      expect((await get(url, nobody)).statusCode).toBe(403);
      expect((await get(url, reader)).statusCode).toBe(200);
    },
  );
});

describe('GET /leads', () => {
  it('finds leads by a part of their name, email or company, and pages through them', async () => {
    const tag = randomBytes(4).toString('hex');
    const a = await newLead({ company: `Zebra ${tag} Ltd` });
    const b = await newLead({ name: `Zoe ${tag}` });
    await newLead();
    const first = await get(`/leads?q=${tag}&limit=1`);
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items).toHaveLength(1);
    // Most recently seen first.
    expect(page1.items[0].id).toBe(b.lead.id);
    const page2 = (await get(`/leads?q=${tag}&limit=1&cursor=${page1.nextCursor}`)).json();
    expect(page2.items.map((l: { id: string }) => l.id)).toEqual([a.lead.id]);
    expect(page2.nextCursor).toBeNull();
    expect((await get(`/leads?q=${a.form.email}`)).json().items).toHaveLength(1);
  });

  it('pages through leads seen within the same millisecond without skipping or repeating one', async () => {
    const tag = randomBytes(4).toString('hex');
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await newLead({ company: `Same ms ${tag}` })).lead.id);
    // The same millisecond, different microseconds.
    await app.db.execute(
      sql`update leads set last_seen_at = '2026-01-01T00:00:00.000100Z'::timestamptz + (interval '1 microsecond' * (select count(*) from leads l2 where l2.id < leads.id)) where company = ${`Same ms ${tag}`}`,
    );
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const body = (
        await get(`/leads?q=${tag}&limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...body.items.map((l: { id: string }) => l.id));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect(seen.sort()).toEqual(made.sort());
  });

  it('matches % and _ literally', async () => {
    await newLead({ company: 'Plain Company' });
    const items = (await get('/leads?q=%25%25%25')).json().items;
    expect(items).toEqual([]);
  });

  it('answers 400 to a forged cursor and 404 to an unknown lead', async () => {
    expect((await get('/leads?cursor=bm9wZQ')).statusCode).toBe(400);
    expect((await get('/leads/0190a000-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });
});

describe('GET /form-submissions', () => {
  it('filters by type and time, newest first, and reads one by id', async () => {
    const since = new Date().toISOString();
    const demo = await submit(app, 'demo-request', forms['demo-request']());
    const quote = await submit(app, 'quote-request', forms['quote-request']());
    const quotes = (await get(`/form-submissions?type=quote-request&from=${since}`)).json();
    expect(quotes.items.map((s: { id: string }) => s.id)).toEqual([quote.json().id]);
    const all = (await get(`/form-submissions?from=${since}`)).json();
    expect(all.items.map((s: { id: string }) => s.id)).toEqual([quote.json().id, demo.json().id]);
    const until = (await get(`/form-submissions?from=${since}&to=${since}`)).json();
    expect(until.items).toEqual([]);
    const one = await get(`/form-submissions/${demo.json().id}`);
    expect(one.json()).toMatchObject({ type: 'demo-request', spam: false });
    expect((await get('/form-submissions/0190a000-0000-7000-8000-000000000000')).statusCode).toBe(
      404,
    );
  });

  it('exports CSV with the filters, formulas neutralized', async () => {
    const since = new Date().toISOString();
    const { form } = await newLead({ message: '=HYPERLINK("http://evil.example")' });
    const response = await get(`/form-submissions/export?type=contact&from=${since}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const [header, row] = response.body.trim().split('\n');
    expect(header).toBe(
      'id,type,createdAt,spam,leadId,email,name,company,phone,message,fields,ip,userAgent',
    );
    expect(row).toContain(form.email as string);
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });
});

describe('GET /leads/{id}/timeline', () => {
  it("shows the lead's submissions, uploads, emails and CRM syncs, newest first", async () => {
    const { lead, submissionId } = await newLead();
    await insertUpload(lead.id);
    // The worker's delivery of the confirmation (done) and the CRM sync (under way).
    await once(
      app.db,
      { kind: 'email', key: `form:${submissionId}:confirmation`, leaseMs: 1000 },
      async () => 'done',
    );
    // The CRM contact is upserted; its note is under way.
    await app.db.insert(deliveries).values({
      kind: 'crm-upsert',
      key: `form:${submissionId}:crm`,
      status: 'done',
      leaseUntil: new Date(),
      doneAt: new Date(),
    });
    await app.db.insert(deliveries).values({
      kind: 'crm-note',
      key: `form:${submissionId}:crm`,
      leaseUntil: new Date(Date.now() + 60_000),
    });
    const response = await get(`/leads/${lead.id}/timeline`);
    expect(response.statusCode).toBe(200);
    const { lead: shown, events } = response.json();
    expect(shown.id).toBe(lead.id);
    const byKind = (kind: string) => events.filter((e: { kind: string }) => e.kind === kind);
    expect(byKind('form_submission')).toMatchObject([{ ref: submissionId, status: 'received' }]);
    expect(byKind('upload')).toMatchObject([
      { status: 'uploaded', summary: 'Uploaded report.csv' },
    ]);
    const emails = byKind('email');
    expect(emails).toHaveLength(3);
    const withTemplate = (template: string) =>
      emails.find((e: { detail: { template: string } }) => e.detail.template === template);
    expect(withTemplate('upload-finished')).toMatchObject({ status: 'queued' });
    expect(withTemplate('form-confirmation')).toMatchObject({
      status: 'done',
      ref: submissionId,
      summary: `Email form-confirmation to ${lead.email}`,
      detail: { to: lead.email },
    });
    expect(withTemplate('sales-notification')).toMatchObject({
      status: 'queued',
      ref: submissionId,
      detail: { to: 'sales@example.com' },
    });
    expect(byKind('crm_sync')).toMatchObject([{ status: 'pending', ref: submissionId }]);
    const times = events.map((e: { at: string }) => e.at);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("names a demo request's confirmation, sent to the address as the sender typed it", async () => {
    const { lead } = await newLead();
    const typed = lead.email.toUpperCase();
    const demo = await submit(app, 'demo-request', { ...forms['demo-request'](), email: typed });
    const { events } = (await get(`/leads/${lead.id}/timeline`)).json();
    const ofDemo = events.filter((e: { ref: string }) => e.ref === demo.json().id);
    expect(ofDemo.map((e: { kind: string }) => e.kind).sort()).toEqual([
      'crm_sync',
      'email',
      'email',
      'form_submission',
    ]);
    expect(ofDemo).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'email',
          summary: `Email demo-confirmation to ${typed}`,
          detail: expect.objectContaining({ template: 'demo-confirmation', to: typed }),
        }),
        expect.objectContaining({
          kind: 'email',
          detail: expect.objectContaining({
            template: 'sales-notification',
            to: 'sales@example.com',
          }),
        }),
      ]),
    );
  });
});

/** An upload of the lead's, with its bytes in the app's storage and its outcome email queued. */
async function insertUpload(leadId: string) {
  const id = crypto.randomUUID();
  await app.storage.put(`quarantine/${id}`, Buffer.from('a,b\n1,2\n'));
  await enqueueEmail(
    app.db,
    'lead@example.com',
    'upload-finished',
    { fileName: 'report.csv', uploadId: id, outcome: 'ready' },
    { idempotencyKey: uploadJobKey(id, 'finished') },
  );
  await app.db.insert(uploads).values({
    id,
    leadId,
    filename: 'report.csv',
    contentType: 'text/csv',
    size: 10,
    storageKey: `quarantine/${id}`,
    accessTokenHash: id,
    status: 'uploaded',
    requestIp: '10.0.0.1',
    expiresAt: new Date(Date.now() + 3600_000),
  });
  return id;
}

describe('DELETE /leads/{id}', () => {
  const erase = (id: string, who: Person) =>
    app.inject({ method: 'DELETE', url: `/api/v1/leads/${id}`, headers: who.headers });

  it('is refused without forms:delete', async () => {
    const { lead } = await newLead();
    expect((await erase(lead.id, reader)).statusCode).toBe(403);
    expect((await get(`/leads/${lead.id}`)).statusCode).toBe(200);
  });

  it('removes the lead, its submissions (spam ones too), uploads and jobs, and records the erasure without the data', async () => {
    const email = uniqueEmail('erase');
    const { lead, submissionId } = await newLead({ email });
    await submit(app, 'contact', { ...forms.contact(), email, website: 'bot' });
    const uploadId = await insertUpload(lead.id);
    await once(
      app.db,
      { kind: 'email', key: `form:${submissionId}:confirmation`, leaseMs: 1000 },
      async () => 'done',
    );
    expect((await erase(lead.id, eraser)).statusCode).toBe(204);
    expect(await app.storage.stat(`quarantine/${uploadId}`)).toBeUndefined();
    expect(
      await app.db
        .select()
        .from(outbox)
        .where(eq(outbox.idempotencyKey, uploadJobKey(uploadId, 'finished'))),
    ).toEqual([]);

    expect((await get(`/leads/${lead.id}`)).statusCode).toBe(404);
    expect(
      await app.db.select().from(formSubmissions).where(eq(formSubmissions.email, email)),
    ).toEqual([]);
    expect(await app.db.select().from(uploads).where(eq(uploads.leadId, lead.id))).toEqual([]);
    expect(
      await app.db
        .select()
        .from(outbox)
        .where(like(outbox.idempotencyKey, `form:${submissionId}:%`)),
    ).toEqual([]);
    const [erasure] = await app.db
      .select()
      .from(leadErasures)
      .where(eq(leadErasures.leadId, lead.id));
    expect(erasure).toMatchObject({ actorId: eraser.id, submissions: 2, uploads: 1 });
    expect(JSON.stringify(erasure)).not.toContain(email);
    // The delivery record holds no personal data and keeps a re-delivered job from re-sending.
    expect(
      await app.db
        .select()
        .from(deliveries)
        .where(eq(deliveries.key, `form:${submissionId}:confirmation`)),
    ).toHaveLength(1);
    expect((await erase(lead.id, eraser)).statusCode).toBe(404);
  });

  it('is allowed to a superuser', async () => {
    const { lead } = await newLead();
    expect((await erase(lead.id, superuser)).statusCode).toBe(204);
  });
});
