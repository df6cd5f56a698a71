import type { UploadTicket } from '@atrium/contracts';
import type { S3Storage } from '@atrium/storage';
import { s3Storage } from '@atrium/storage/s3';
import { type S3TestServer, startS3Server } from '@atrium/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support.js';
import { CSV, complete, newUpload, scanJobs } from './uploads-support.js';

const BUCKET = 'atrium-api-uploads';
let server: S3TestServer;
let storage: S3Storage;
let app: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  // The app builds the same store from config; only the test server's keys come from here (in
  // production they come from the AWS SDK's default chain).
  storage = s3Storage({
    bucket: BUCKET,
    region: server.region,
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
  app = await testApp(
    {
      STORAGE_DRIVER: 's3',
      S3_BUCKET: BUCKET,
      S3_REGION: server.region,
      S3_ENDPOINT: server.endpoint,
    },
    { storage },
  );
});
afterAll(async () => {
  await app?.dispose();
  storage?.close();
  await server?.close();
});

/** What a browser does with a presigned POST: the fields, then the file, as multipart/form-data. */
function postFile(ticket: UploadTicket, body: Buffer, type = 'text/csv') {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields ?? {})) form.append(name, value);
  form.append('file', new Blob([body], { type }), 'sales.csv');
  return fetch(ticket.uploadUrl, { method: 'POST', body: form });
}

describe('uploads with the S3 driver', () => {
  it('hands out a presigned POST that pins the key, the type and the declared size', async () => {
    const ticket = await newUpload(app);
    expect(ticket.method).toBe('POST');
    expect(ticket.uploadUrl.startsWith(server.endpoint)).toBe(true);
    expect(ticket.headers).toBeUndefined();
    const fields = ticket.fields!;
    expect(fields.key).toBe(`quarantine/${ticket.uploadId}`);
    const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 0, CSV.length],
        ['eq', '$Content-Type', 'text/csv'],
      ]),
    );
  });

  it('uploads over HTTP to the store, then complete sees the object and queues its scan once', async () => {
    const ticket = await newUpload(app);
    expect((await complete(app, ticket)).statusCode).toBe(409);

    const posted = await postFile(ticket, CSV);
    expect(posted.status).toBe(204);
    expect((await storage.stat(`quarantine/${ticket.uploadId}`))?.size).toBe(CSV.length);

    const first = await complete(app, ticket);
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toMatchObject({ status: 'uploaded', stage: 'scan' });
    expect((await complete(app, ticket)).statusCode).toBe(202);
    expect(await scanJobs(app, ticket.uploadId)).toHaveLength(1);
  });

  it('answers the local upload route with 404 naming S3: the bytes never pass through the API', async () => {
    const response = await app.inject({ method: 'PUT', url: '/api/v1/upload/file?key=x' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'not_found' });
    expect(response.json().detail).toContain('S3');
  });
});
