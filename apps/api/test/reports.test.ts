import { outbox } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp } from './auth-support.js';
import { testApp } from './support.js';
import { type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let reporter: Person;
let stranger: Person;
let moderator: Person;
let superuser: Person;

beforeAll(async () => {
  app = await testApp();
  [reporter, stranger, superuser] = [
    await person(app),
    await person(app),
    await person(app, { isSuperuser: true }),
  ];
  const mod = await signUp(app, { permissions: ['reports:manage'] });
  moderator = { id: mod.user.id, email: mod.user.email, headers: bearer(mod.accessToken) };
});
afterAll(async () => app?.dispose());

type Method = 'GET' | 'PUT' | 'PATCH' | 'POST';
const call = (method: Method, url: string, who: Person, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, headers: who.headers, payload });

async function newReport(who = reporter) {
  const response = await call('POST', '/reports', who, {
    title: 'Spam',
    content: 'A user sends spam',
  });
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; status: string };
}

const statusEmails = (reportId: string) =>
  app.db
    .select({ payload: outbox.payload })
    .from(outbox)
    .where(
      sql`${outbox.payload}->>'template' = 'report-status-changed' and ${outbox.payload}->'data'->>'reportId' = ${reportId}`,
    );

describe('who sees a report', () => {
  it.each([
    ['the reporter', () => reporter, 200],
    ['a moderator', () => moderator, 200],
    ['a superuser', () => superuser, 200],
    ['another user', () => stranger, 404],
  ] as const)('answers %s reading it with %i', async (_name, who, status) => {
    const report = await newReport();
    expect((await call('GET', `/reports/${report.id}`, who())).statusCode).toBe(status);
  });

  it.each([
    ['PATCH', '', { title: 'x' }],
    ['POST', '/comments', { comment: 'me too' }],
  ] as const)(
    'answers 404 to another user on %s /reports/{id}%s',
    async (method, suffix, payload) => {
      const report = await newReport();
      expect(
        (await call(method, `/reports/${report.id}${suffix}`, stranger, payload)).statusCode,
      ).toBe(404);
    },
  );

  it('keeps the admin list and resolving to moderators', async () => {
    const report = await newReport();
    expect((await call('GET', '/reports/admin/all', reporter)).statusCode).toBe(403);
    expect((await call('PUT', `/reports/${report.id}/resolve`, reporter, {})).statusCode).toBe(403);
    expect((await call('GET', '/reports/admin/all', moderator)).statusCode).toBe(200);
  });

  it('lists only your own reports under GET /reports', async () => {
    const mine = await newReport(stranger);
    const items = (await call('GET', '/reports', stranger)).json().items;
    expect(items.map((r: { id: string }) => r.id)).toEqual([mine.id]);
  });
});

describe('editing', () => {
  it('lets the reporter edit while open, and nobody else', async () => {
    const report = await newReport();
    expect(
      (await call('PATCH', `/reports/${report.id}`, moderator, { title: 'x' })).statusCode,
    ).toBe(403);
    const edited = await call('PATCH', `/reports/${report.id}`, reporter, { title: 'Spam, again' });
    expect(edited.json().title).toBe('Spam, again');
  });

  it('refuses an edit once a moderator has started on it', async () => {
    const report = await newReport();
    await call('POST', `/reports/${report.id}/comments`, moderator, { status: 'in_progress' });
    const edit = await call('PATCH', `/reports/${report.id}`, reporter, { title: 'late' });
    expect(edit.statusCode).toBe(409);
  });
});

describe('workflow', () => {
  it('records each status change as a comment and emails the reporter once per change', async () => {
    const report = await newReport();
    await call('POST', `/reports/${report.id}/comments`, moderator, {
      status: 'in_progress',
      comment: 'Looking',
    });
    await call('POST', `/reports/${report.id}/comments`, reporter, { comment: 'Thanks' });
    const resolved = await call('PUT', `/reports/${report.id}/resolve`, moderator, {
      comment: 'Done',
    });
    expect(resolved.json().report).toMatchObject({ status: 'resolved', resolvedBy: moderator.id });
    const detail = (await call('GET', `/reports/${report.id}`, reporter)).json();
    expect(
      detail.comments.map(
        (c: { statusFrom: string | null; statusTo: string | null; comment: string }) => [
          c.statusFrom,
          c.statusTo,
          c.comment,
        ],
      ),
    ).toEqual([
      ['open', 'in_progress', 'Looking'],
      [null, null, 'Thanks'],
      ['in_progress', 'resolved', 'Done'],
    ]);
    const emails = await statusEmails(report.id);
    expect(
      emails.map((e) => (e.payload as { to: string; data: { status: string } }).data.status).sort(),
    ).toEqual(['in_progress', 'resolved']);
    expect((emails[0]!.payload as { to: string }).to).toBe(reporter.email);
  });

  it('refuses a status change from the reporter and resolving twice', async () => {
    const report = await newReport();
    const byReporter = await call('POST', `/reports/${report.id}/comments`, reporter, {
      status: 'resolved',
    });
    expect(byReporter.statusCode).toBe(403);
    await call('PUT', `/reports/${report.id}/resolve`, superuser, {});
    expect((await call('PUT', `/reports/${report.id}/resolve`, superuser, {})).statusCode).toBe(
      409,
    );
    expect(await statusEmails(report.id)).toHaveLength(1);
  });

  it('filters the admin list by status', async () => {
    const report = await newReport();
    await call('PUT', `/reports/${report.id}/resolve`, moderator, {});
    const resolved = (
      await call('GET', '/reports/admin/all?status=resolved&limit=100', moderator)
    ).json().items;
    expect(resolved.every((r: { status: string }) => r.status === 'resolved')).toBe(true);
    expect(resolved.map((r: { id: string }) => r.id)).toContain(report.id);
    expect((await call('GET', '/reports/admin/all?status=bogus', moderator)).statusCode).toBe(400);
  });

  it('rejects a title over 200 characters', async () => {
    const response = await call('POST', '/reports', reporter, {
      title: 'x'.repeat(201),
      content: 'c',
    });
    expect(response.statusCode).toBe(400);
  });
});
