import type { UploadState } from '@atrium/contracts';
import { fileAnalyses, leads, uploadStages, uploads } from '@atrium/db';
import { and, eq } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp } from './auth-support.js';
import { testApp } from './support.js';
import {
  CSV,
  complete,
  freshIp,
  newUpload,
  putFile,
  requestUpload,
  scanJobs,
  uploadBody,
} from './uploads-support.js';

let app: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  app = await testApp({ UPLOAD_LIMIT_PER_IP: '3', UPLOAD_LIMIT_PER_EMAIL: '2' });
});
afterAll(async () => app?.dispose());

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/api/v1${url}`, headers });

describe('POST /upload/request', () => {
  it('answers 201 with a signed PUT URL, an expiry and a token, and stores only its hash', async () => {
    const body = uploadBody({ company: 'Analytical Engines', purpose: 'quarterly figures' });
    const response = await requestUpload(app, body);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const ticket = response.json();
    expect(ticket).toMatchObject({ method: 'PUT', headers: { 'content-type': 'text/csv' } });
    const url = new URL(ticket.uploadUrl);
    expect(url.pathname).toBe('/api/v1/upload/file');
    expect(url.searchParams.get('key')).toBe(`quarantine/${ticket.uploadId}`);
    expect(url.searchParams.get('max')).toBe('26');
    expect(new Date(ticket.expiresAt).getTime()).toBeGreaterThan(Date.now() + 800_000);

    const [row] = await app.db.select().from(uploads).where(eq(uploads.id, ticket.uploadId));
    expect(row).toMatchObject({
      status: 'pending',
      filename: 'sales.csv',
      storageKey: `quarantine/${ticket.uploadId}`,
      purpose: 'quarterly figures',
      ownerId: null,
    });
    expect(row!.accessTokenHash).not.toContain(ticket.accessToken);
    expect(JSON.stringify(row)).not.toContain(ticket.accessToken);
    const [lead] = await app.db.select().from(leads).where(eq(leads.id, row!.leadId));
    expect(lead).toMatchObject({ email: body.email, name: 'Ada Visitor' });
    expect(lead!.company).toBe('Analytical Engines');
    const stages = await app.db
      .select()
      .from(uploadStages)
      .where(eq(uploadStages.uploadId, ticket.uploadId));
    expect(stages.map((s) => [s.name, s.status]).sort()).toEqual([
      ['analysis', 'pending'],
      ['notify', 'pending'],
      ['scan', 'pending'],
      ['upload', 'pending'],
    ]);
  });

  it('makes a signed-in user the owner, and one lead of one email however it is spelled', async () => {
    const user = await signUp(app);
    const first = await newUpload(
      app,
      { email: 'Same.Person@Example.com' },
      bearer(user.accessToken),
    );
    const second = await newUpload(app, { email: 'same.person@EXAMPLE.com' });
    const rows = await app.db.select().from(uploads);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(first.uploadId)!.ownerId).toBe(user.user.id);
    expect(byId.get(first.uploadId)!.leadId).toBe(byId.get(second.uploadId)!.leadId);
  });

  it('answers 401 to a bad bearer token instead of treating the caller as anonymous', async () => {
    const response = await requestUpload(app, uploadBody(), {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(response.statusCode).toBe(401);
  });

  it.each([
    ['a type outside the allow-list', { contentType: 'application/zip' }, '/body/contentType'],
    ['an executable', { contentType: 'application/x-msdownload' }, '/body/contentType'],
    ['a size over UPLOAD_MAX_BYTES', { size: 104_857_601 }, '/body/size'],
    ['a size of zero', { size: 0 }, '/body/size'],
    ['a path as the name', { filename: '../../etc/passwd' }, '/body/filename'],
    ['a Windows path as the name', { filename: 'C:\\Users\\ada\\sales.csv' }, '/body/filename'],
    ['a control character in the name', { filename: 'sales\u0000.csv' }, '/body/filename'],
    ['a name that is only dots', { filename: '..' }, '/body/filename'],
    ['a name that is only invisible characters', { filename: '\u202e\u200b' }, '/body/filename'],
    ['an unknown field', { storageKey: 'clean/mine' }, '/body/storageKey'],
    ['a missing email', { email: undefined }, '/body/email'],
  ])('answers 400 to %s, naming the field', async (_name, overrides, path) => {
    const before = (await app.db.select().from(uploads)).length;
    const response = await requestUpload(app, uploadBody(overrides));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await app.db.select().from(uploads)).length).toBe(before);
  });

  it('keeps the name it shows free of invisible reordering characters', async () => {
    const ticket = await newUpload(app, { filename: 'report\u202Evsc.exe' });
    const [row] = await app.db.select().from(uploads).where(eq(uploads.id, ticket.uploadId));
    expect(row!.filename).toBe('reportvsc.exe');
  });

  it('accepts a declared type in any case and signs it lower-cased', async () => {
    const ticket = await newUpload(app, { contentType: 'Text/CSV' });
    expect(ticket.headers).toEqual({ 'content-type': 'text/csv' });
  });
});

describe('limits', () => {
  it('answers 429 with Retry-After once an IP has used its uploads for the hour', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) {
      expect((await requestUpload(app, uploadBody(), { ip })).statusCode).toBe(201);
    }
    const refused = await requestUpload(app, uploadBody(), { ip });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('rate_limited');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Another address is not held back by it.
    expect((await requestUpload(app, uploadBody())).statusCode).toBe(201);
  });

  it('answers 429 once an email has used its uploads for the hour, from any IP', async () => {
    const email = uploadBody().email;
    for (let i = 0; i < 2; i++) {
      expect((await requestUpload(app, uploadBody({ email }))).statusCode).toBe(201);
    }
    const refused = await requestUpload(app, uploadBody({ email: email.toUpperCase() }));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
  });

  it('counts concurrent requests exactly: never more than the limit get through', async () => {
    const ip = freshIp();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => requestUpload(app, uploadBody(), { ip })),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
  });
});

describe('POST /upload/complete', () => {
  it('answers 409 while the bytes are not in the store, and queues nothing', async () => {
    const ticket = await newUpload(app);
    const response = await complete(app, ticket);
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('conflict');
    expect(await scanJobs(app, ticket.uploadId)).toHaveLength(0);
    const [row] = await app.db.select().from(uploads).where(eq(uploads.id, ticket.uploadId));
    expect(row!.status).toBe('pending');
  });

  it('marks the upload uploaded and queues one scan, however often it is called', async () => {
    const ticket = await newUpload(app);
    expect((await putFile(app, ticket)).statusCode).toBe(204);
    const first = await complete(app, ticket);
    expect(first.statusCode, first.body).toBe(202);
    const state = first.json() as UploadState;
    expect(state).toMatchObject({ id: ticket.uploadId, status: 'uploaded', stage: 'scan' });
    expect(state.stages[0]).toMatchObject({ name: 'upload', status: 'done' });
    expect(state.stages[0]!.finishedAt).not.toBeNull();
    expect(state.uploadedAt).not.toBeNull();

    const again = await Promise.all([complete(app, ticket), complete(app, ticket)]);
    expect(again.map((r) => r.statusCode)).toEqual([202, 202]);
    expect(again[0]!.json().status).toBe('uploaded');
    const jobs = await scanJobs(app, ticket.uploadId);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.payload).toEqual({ uploadId: ticket.uploadId });
  });

  it("answers 404 to another upload's token and to no token, as to an unknown id", async () => {
    const ticket = await newUpload(app);
    const other = await newUpload(app);
    await putFile(app, ticket);
    expect((await complete(app, ticket, other.accessToken)).statusCode).toBe(404);
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/v1/upload/complete',
      payload: { uploadId: ticket.uploadId },
    });
    expect(anonymous.statusCode).toBe(404);
    expect(await scanJobs(app, ticket.uploadId)).toHaveLength(0);
  });

  it('lets the signed-in owner complete without the token', async () => {
    const owner = await signUp(app);
    const ticket = await newUpload(app, {}, bearer(owner.accessToken));
    await putFile(app, ticket);
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/upload/complete',
      headers: bearer(owner.accessToken),
      payload: { uploadId: ticket.uploadId },
    });
    expect(response.statusCode).toBe(202);
  });
});

describe('GET /upload/status/{id} and /upload/result/{id}', () => {
  it('shows the stages in pipeline order to the token holder', async () => {
    const ticket = await newUpload(app);
    const response = await get(`/upload/status/${ticket.uploadId}`, {
      'x-upload-token': ticket.accessToken,
    });
    expect(response.statusCode).toBe(200);
    const state = response.json() as UploadState;
    expect(state).toMatchObject({
      id: ticket.uploadId,
      status: 'pending',
      stage: 'upload',
      filename: 'sales.csv',
      contentType: 'text/csv',
      size: 26,
      rejection: null,
    });
    expect(state.stages.map((s) => s.name)).toEqual(['upload', 'scan', 'analysis', 'notify']);
  });

  it('says why a rejected upload was rejected, and where it stopped', async () => {
    const ticket = await newUpload(app);
    await app.db
      .update(uploads)
      .set({ status: 'rejected', rejection: 'infected', detail: 'Eicar-Test-Signature' })
      .where(eq(uploads.id, ticket.uploadId));
    await app.db
      .update(uploadStages)
      .set({ status: 'done' })
      .where(eq(uploadStages.uploadId, ticket.uploadId));
    await app.db
      .update(uploadStages)
      .set({ status: 'failed', error: 'infected: Eicar-Test-Signature' })
      .where(and(eq(uploadStages.uploadId, ticket.uploadId), eq(uploadStages.name, 'scan')));
    const state = (
      await get(`/upload/status/${ticket.uploadId}`, { 'x-upload-token': ticket.accessToken })
    ).json() as UploadState;
    expect(state).toMatchObject({
      status: 'rejected',
      rejection: 'infected',
      detail: 'Eicar-Test-Signature',
      stage: 'scan',
    });
    expect(state.stages[1]).toMatchObject({
      status: 'failed',
      error: 'infected: Eicar-Test-Signature',
    });
  });

  it('answers 404 for the result until the analysis exists, then returns it', async () => {
    const ticket = await newUpload(app);
    const token = { 'x-upload-token': ticket.accessToken };
    const missing = await get(`/upload/result/${ticket.uploadId}`, token);
    expect(missing.statusCode).toBe(404);
    await app.db.insert(fileAnalyses).values({
      uploadId: ticket.uploadId,
      kind: 'csv',
      status: 'analysed',
      summary: '2 rows, 2 columns',
      result: { rows: 2, columns: [{ name: 'amount', type: 'integer' }] },
      durationMs: 4,
    });
    const found = await get(`/upload/result/${ticket.uploadId}`, token);
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({
      uploadId: ticket.uploadId,
      kind: 'csv',
      status: 'analysed',
      summary: '2 rows, 2 columns',
      result: { rows: 2, columns: [{ name: 'amount', type: 'integer' }] },
      error: null,
    });
  });

  it.each(['status', 'result'])(
    "answers /upload/%s/{id} with 404 to another upload's token, no token, a stranger and a bad id",
    async (what) => {
      const ticket = await newUpload(app);
      const other = await newUpload(app);
      await app.db.insert(fileAnalyses).values({
        uploadId: ticket.uploadId,
        kind: 'csv',
        status: 'failed',
        summary: 'unreadable',
        error: 'line 3: unclosed quote',
        durationMs: 1,
      });
      const stranger = await signUp(app);
      const answers = await Promise.all([
        get(`/upload/${what}/${ticket.uploadId}`, { 'x-upload-token': other.accessToken }),
        get(`/upload/${what}/${ticket.uploadId}`),
        get(`/upload/${what}/${ticket.uploadId}`, bearer(stranger.accessToken)),
        get(`/upload/${what}/${ticket.uploadId}`, { 'x-upload-token': `${ticket.accessToken}x` }),
        get(`/upload/${what}/not-an-id`, { 'x-upload-token': ticket.accessToken }),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([404, 404, 404, 404, 404]);
      const details = new Set(answers.slice(0, 4).map((a) => a.json().detail));
      expect(details.size).toBe(1);
      expect(
        (await get(`/upload/${what}/${ticket.uploadId}`, { 'x-upload-token': ticket.accessToken }))
          .statusCode,
      ).toBe(200);
    },
  );

  it('lets the signed-in owner and holders of uploads:read read it without the token', async () => {
    const owner = await signUp(app);
    const staff = await signUp(app, { permissions: ['uploads:read'] });
    const ticket = await newUpload(app, {}, bearer(owner.accessToken));
    expect(
      (await get(`/upload/status/${ticket.uploadId}`, bearer(owner.accessToken))).statusCode,
    ).toBe(200);
    expect(
      (await get(`/upload/status/${ticket.uploadId}`, bearer(staff.accessToken))).statusCode,
    ).toBe(200);
    // Staff read; completing is for the uploader.
    await putFile(app, ticket);
    const byStaff = await app.inject({
      method: 'POST',
      url: '/api/v1/upload/complete',
      headers: bearer(staff.accessToken),
      payload: { uploadId: ticket.uploadId },
    });
    expect(byStaff.statusCode).toBe(404);
  });
});

describe('GET /uploads', () => {
  it('lists newest first by keyset, filtered by status, for uploads:read only', async () => {
    const staff = await signUp(app, { permissions: ['uploads:read'] });
    const nobody = await signUp(app);
    const made = [await newUpload(app), await newUpload(app), await newUpload(app)];
    await putFile(app, made[1]!);
    await complete(app, made[1]!);

    expect((await get('/uploads')).statusCode).toBe(401);
    expect((await get('/uploads', bearer(nobody.accessToken))).statusCode).toBe(403);

    const first = await get('/uploads?limit=2', bearer(staff.accessToken));
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items.map((u: { id: string }) => u.id)).toEqual([
      made[2]!.uploadId,
      made[1]!.uploadId,
    ]);
    const next = await get(`/uploads?limit=2&cursor=${page.nextCursor}`, bearer(staff.accessToken));
    expect(next.json().items[0].id).toBe(made[0]!.uploadId);
    expect(JSON.stringify(page)).not.toMatch(/accessToken|storageKey|requestIp/);

    const uploaded = (
      await get('/uploads?status=uploaded&limit=100', bearer(staff.accessToken))
    ).json();
    const ids = uploaded.items.map((u: { id: string }) => u.id);
    expect(ids).toContain(made[1]!.uploadId);
    expect(ids).not.toContain(made[0]!.uploadId);
    expect(uploaded.items.every((u: { status: string }) => u.status === 'uploaded')).toBe(true);
    expect((await get('/uploads?status=nope', bearer(staff.accessToken))).statusCode).toBe(400);
    expect((await get('/uploads?cursor=zzz', bearer(staff.accessToken))).statusCode).toBe(400);
  });
});

describe('the body sent to the local store', () => {
  it('is the file, byte for byte', async () => {
    const ticket = await newUpload(app);
    expect((await putFile(app, ticket)).statusCode).toBe(204);
    const stored = await app.storage.read(`quarantine/${ticket.uploadId}`);
    const chunks: Buffer[] = [];
    for await (const chunk of stored) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(CSV);
  });
});

describe('the OpenAPI document', () => {
  it('shows every uploads route, the upload token scheme, and anonymous access where allowed', async () => {
    await app.ready();
    const document = app.swagger() as unknown as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: object }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.components.securitySchemes.uploadToken).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'X-Upload-Token',
    });
    const paths = document.paths;
    expect(Object.keys(paths['/api/v1/upload/request']!)).toContain('post');
    expect(Object.keys(paths['/api/v1/upload/complete']!)).toContain('post');
    expect(Object.keys(paths['/api/v1/upload/status/{id}']!)).toContain('get');
    expect(Object.keys(paths['/api/v1/upload/result/{id}']!)).toContain('get');
    expect(Object.keys(paths['/api/v1/uploads']!)).toContain('get');
    expect(Object.keys(paths['/api/v1/upload/file']!)).toContain('put');
    expect(paths['/api/v1/upload/request']!.post!.security).toEqual([{ bearerAuth: [] }, {}]);
    expect(paths['/api/v1/upload/status/{id}']!.get!.security).toEqual([
      { uploadToken: [] },
      { bearerAuth: [] },
    ]);
    expect(Object.keys(paths['/api/v1/upload/file']!.put!.responses)).toEqual(
      expect.arrayContaining(['204', '403', '409', '413', '415']),
    );
    expect(Object.keys(paths['/api/v1/upload/request']!.post!.responses)).toEqual(
      expect.arrayContaining(['201', '400', '429', '503']),
    );
  });
});

describe('Idempotency-Key on POST /upload/request', () => {
  const withKey = (key: string) => ({ 'idempotency-key': key });

  it('answers a retry with the same upload, a new token and a fresh URL, counting it once', async () => {
    const ip = freshIp();
    const body = uploadBody();
    const key = `retry-${Date.now()}`;
    const first = await requestUpload(app, body, { ip, headers: withKey(key) });
    expect(first.statusCode).toBe(201);
    const retry = await requestUpload(app, body, { ip, headers: withKey(key) });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json().uploadId).toBe(first.json().uploadId);
    expect(retry.json().accessToken).not.toBe(first.json().accessToken);
    const status = (token: string) =>
      get(`/upload/status/${first.json().uploadId}`, { 'x-upload-token': token });
    expect((await status(retry.json().accessToken)).statusCode).toBe(200);
    expect((await status(first.json().accessToken)).statusCode).toBe(404);
    // Two more new requests still fit the limit of 3 for this IP: the retry was not counted.
    expect((await requestUpload(app, uploadBody(), { ip })).statusCode).toBe(201);
    expect((await requestUpload(app, uploadBody(), { ip })).statusCode).toBe(201);
  });

  it('answers 409 when the key comes back with another request, or after the file was sent', async () => {
    const body = uploadBody();
    const key = `other-${Date.now()}`;
    const first = await requestUpload(app, body, { headers: withKey(key) });
    expect(first.statusCode).toBe(201);
    const different = await requestUpload(app, { ...body, size: 27 }, { headers: withKey(key) });
    expect(different.statusCode).toBe(409);
    await putFile(app, first.json());
    await complete(app, first.json());
    expect((await requestUpload(app, body, { headers: withKey(key) })).statusCode).toBe(409);
  });

  it('keeps keys apart between uploaders', async () => {
    const key = `shared-${Date.now()}`;
    const a = await requestUpload(app, uploadBody(), { headers: withKey(key) });
    const b = await requestUpload(app, uploadBody(), { headers: withKey(key) });
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().uploadId).not.toBe(b.json().uploadId);
  });
});
