import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidKey, NotFound, type S3Storage } from '../src/index.js';
import { s3Storage } from '../src/s3.js';
import { type S3TestServer, startS3Server } from '../src/testing/index.js';

const BUCKET = 'atrium-test-uploads';
let server: S3TestServer;
let storage: S3Storage;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  storage = s3Storage({
    bucket: BUCKET,
    region: server.region,
    endpoint: server.endpoint,
    credentials: server.credentials,
  });
});
afterAll(async () => {
  storage?.close();
  await server?.close();
});

async function bytes(stream: Readable) {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a browser does with a presigned POST: the fields, then the file, as multipart/form-data. */
async function postFile(
  target: { url: string; fields?: Record<string, string> },
  body: Buffer,
  type: string,
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(target.fields ?? {})) form.append(name, value);
  form.append('file', new Blob([body], { type }), 'upload.csv');
  return fetch(target.url, { method: 'POST', body: form });
}

describe('S3 presigned POST uploads', () => {
  const request = {
    key: 'quarantine/u-e2e',
    maxBytes: 1024,
    contentType: 'text/csv',
    expiresInSeconds: 300,
  };

  it('uploads a file within the limit over HTTP, then moves it to clean, reads it back and deletes it', async () => {
    const target = await storage.uploadTarget(request);
    expect(target.method).toBe('POST');
    const body = Buffer.from('name,amount\nada,1\ngrace,2\n');
    const response = await postFile(target, body, 'text/csv');
    expect(response.status).toBe(204);

    const stored = await storage.stat('quarantine/u-e2e');
    expect(stored?.size).toBe(body.length);
    expect(stored?.contentType).toBe('text/csv');

    await storage.move('quarantine/u-e2e', 'clean/u-e2e');
    expect(await storage.stat('quarantine/u-e2e')).toBeUndefined();
    expect(await bytes(await storage.read('clean/u-e2e'))).toEqual(body);

    await storage.delete('clean/u-e2e');
    expect(await storage.stat('clean/u-e2e')).toBeUndefined();
    await expect(storage.read('clean/u-e2e')).rejects.toBeInstanceOf(NotFound);
  });

  // The test server stores whatever is POSTed (see the README: neither s3rver nor moto evaluates
  // a POST policy), so this checks the half we own: the policy S3 evaluates says what we mean,
  // and it is signed the way S3 verifies it (SigV4 over the base64 policy, computed here
  // independently of the SDK). A larger body or a late one is then S3's to refuse.
  it('signs a policy that pins the key, the content type, a content-length-range and the expiry', async () => {
    const target = await storage.uploadTarget(request);
    const fields = target.fields!;
    expect(fields.key).toBe('quarantine/u-e2e');
    expect(fields['Content-Type']).toBe('text/csv');

    const policy = JSON.parse(Buffer.from(fields.Policy!, 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 0, 1024],
        ['eq', '$Content-Type', 'text/csv'],
        { key: 'quarantine/u-e2e' },
        { bucket: BUCKET },
      ]),
    );
    const expiration = new Date(policy.expiration).getTime();
    expect(Math.abs(expiration - target.expiresAt.getTime())).toBeLessThan(2000);

    const [accessKeyId, date, region, service, terminal] = fields['X-Amz-Credential']!.split('/');
    expect([accessKeyId, region, service, terminal]).toEqual([
      'S3RVER',
      'us-east-1',
      's3',
      'aws4_request',
    ]);
    const signingKey = [date!, region!, service!, terminal!].reduce<Buffer | string>(
      (key, part) => createHmac('sha256', key).update(part).digest(),
      `AWS4${server.credentials.secretAccessKey}`,
    );
    const signature = createHmac('sha256', signingKey).update(fields.Policy!).digest('hex');
    expect(fields['X-Amz-Signature']).toBe(signature);
  });

  it('refuses an unsafe key before asking S3', async () => {
    await expect(storage.uploadTarget({ ...request, key: '../escape' })).rejects.toBeInstanceOf(
      InvalidKey,
    );
    await expect(storage.stat('/abs')).rejects.toBeInstanceOf(InvalidKey);
  });
});

describe('S3 objects', () => {
  it('streams a body of unknown length in as a multipart upload and lists it by prefix', async () => {
    const piece = Buffer.alloc(1024 * 1024, 7);
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 12; i++) yield piece;
      })(),
    );
    await storage.put('results/r1/big.bin', body, { contentType: 'application/octet-stream' });
    await storage.put('results/r1/small.json', Buffer.from('{"rows":2}'), {
      contentType: 'application/json',
    });
    await storage.put('clean/other', Buffer.from('x'));

    const listed: Record<string, number> = {};
    for await (const object of storage.list('results/r1/')) listed[object.key] = object.size;
    expect(listed).toEqual({ 'results/r1/big.bin': 12 * 1024 * 1024, 'results/r1/small.json': 10 });

    const read = createHash('sha256');
    for await (const chunk of await storage.read('results/r1/big.bin'))
      read.update(chunk as Buffer);
    const expected = createHash('sha256');
    for (let i = 0; i < 12; i++) expected.update(piece);
    expect(read.digest('hex')).toBe(expected.digest('hex'));

    for (const key of ['results/r1/big.bin', 'results/r1/small.json', 'clean/other'])
      await storage.delete(key);
  });

  it('answers NotFound to a move or read of a missing object, and deletes missing objects quietly', async () => {
    await expect(storage.move('quarantine/missing', 'clean/missing')).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(storage.read('quarantine/missing')).rejects.toBeInstanceOf(NotFound);
    await expect(storage.delete('quarantine/missing')).resolves.toBeUndefined();
    expect(await storage.stat('clean/missing')).toBeUndefined();
  });
});
