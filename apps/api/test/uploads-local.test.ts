import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { createLogger } from '@atrium/config';
import type { UploadTicket } from '@atrium/contracts';
import { uploads } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { signUpload } from '@atrium/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support.js';
import { CSV, complete, newUpload, pathOf, putFile } from './uploads-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let root: string;

beforeAll(async () => {
  app = await testApp({ UPLOAD_LIMIT_PER_IP: '1000' });
  if (app.storage.driver !== 'local') throw new Error('expected the local driver by default');
  root = app.storage.root;
});
afterAll(async () => app?.dispose());

const keyOf = (ticket: UploadTicket) => `quarantine/${ticket.uploadId}`;

/** Everything on disk under the storage root, partial uploads included. */
async function filesOnDisk(): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function withParam(url: string, name: string, value: string) {
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.toString();
}

describe('PUT to a signed local upload URL', () => {
  it('refuses a tampered signature, size, type or key with 403 and writes nothing', async () => {
    const ticket = await newUpload(app);
    const other = await newUpload(app);
    const sig = new URL(ticket.uploadUrl).searchParams.get('sig')!;
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const tampered = [
      withParam(ticket.uploadUrl, 'sig', flipped),
      withParam(ticket.uploadUrl, 'max', '1000000'),
      withParam(ticket.uploadUrl, 'type', 'image/png'),
      withParam(ticket.uploadUrl, 'key', keyOf(other)),
      withParam(ticket.uploadUrl, 'exp', String(Math.floor(Date.now() / 1000) + 86_400)),
    ];
    for (const url of tampered) {
      const response = await putFile(app, { ...ticket, uploadUrl: url });
      expect(response.statusCode, url).toBe(403);
      expect(response.json().code).toBe('forbidden');
    }
    expect(await app.storage.stat(keyOf(ticket))).toBeUndefined();
    expect(await app.storage.stat(keyOf(other))).toBeUndefined();
  });

  it('refuses an expired URL with 403, even though its signature is genuine', async () => {
    const ticket = await newUpload(app);
    const expired = signUpload(app.uploadSigningSecret, {
      key: keyOf(ticket),
      maxBytes: CSV.length,
      contentType: 'text/csv',
      expiresAt: new Date(Date.now() - 1000),
    });
    const url = `${new URL(ticket.uploadUrl).origin}/api/v1/upload/file?${expired}`;
    const response = await putFile(app, { ...ticket, uploadUrl: url });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toMatch(/expired/);
    expect(await app.storage.stat(keyOf(ticket))).toBeUndefined();
  });

  it('refuses a URL with a field missing or unknown', async () => {
    const ticket = await newUpload(app);
    const url = new URL(ticket.uploadUrl);
    url.searchParams.delete('sig');
    expect((await putFile(app, { ...ticket, uploadUrl: url.toString() })).statusCode).toBe(400);
    const extra = withParam(ticket.uploadUrl, 'path', '../../x');
    expect((await putFile(app, { ...ticket, uploadUrl: extra })).statusCode).toBe(400);
  });

  it('answers 415 when the Content-Type is not the declared one', async () => {
    const ticket = await newUpload(app);
    const response = await putFile(app, { ...ticket, headers: { 'content-type': 'image/png' } });
    expect(response.statusCode).toBe(415);
    expect(await app.storage.stat(keyOf(ticket))).toBeUndefined();
  });

  it('stores the file once, answers 409 to a second PUT, and keeps the first file', async () => {
    const ticket = await newUpload(app);
    expect((await putFile(app, ticket)).statusCode).toBe(204);
    const second = await putFile(app, ticket, 'name,amount\nmallory,9\n');
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('conflict');
    expect((await app.storage.stat(keyOf(ticket)))?.size).toBe(CSV.length);
  });

  it('answers 409 once the upload has moved on, even when its quarantine key is free again', async () => {
    const ticket = await newUpload(app);
    await putFile(app, ticket);
    expect((await complete(app, ticket)).statusCode).toBe(202);
    // What a clean scan does: the bytes leave quarantine.
    await app.storage.move(keyOf(ticket), `clean/${ticket.uploadId}`);
    expect((await putFile(app, ticket)).statusCode).toBe(409);
    expect(await app.storage.stat(keyOf(ticket))).toBeUndefined();
  });

  it('answers 404 when the upload behind a genuine URL is gone', async () => {
    const ticket = await newUpload(app);
    await app.db.delete(uploads).where(eq(uploads.id, ticket.uploadId));
    expect((await putFile(app, ticket)).statusCode).toBe(404);
  });

  it('answers 413 to a Content-Length over the declared size, before reading, leaving nothing', async () => {
    const ticket = await newUpload(app, { size: 10 });
    const response = await putFile(app, ticket, CSV);
    expect(response.statusCode).toBe(413);
    // Refused on the header alone: a body that would fit is never read when the header says more.
    const announced = await app.inject({
      method: 'PUT',
      url: pathOf(ticket.uploadUrl),
      headers: { ...ticket.headers, 'content-length': '11' },
      payload: 'tiny',
    });
    expect(announced.statusCode).toBe(413);
    expect(response.json().code).toBe('payload_too_large');
    expect(await app.storage.stat(keyOf(ticket))).toBeUndefined();
    expect(await filesOnDisk()).not.toContainEqual(expect.stringContaining(ticket.uploadId));
  });

  it('cuts a streamed body that grows past the declared size, and removes the part written', async () => {
    const ticket = await newUpload(app, { size: 64 * 1024 });
    const before = await filesOnDisk();
    // No Content-Length: only the count while streaming can stop it.
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(16 * 1024, 0x61);
      })(),
    );
    const answer = await app
      .inject({
        method: 'PUT',
        url: pathOf(ticket.uploadUrl),
        headers: ticket.headers,
        payload: body,
      })
      .then(
        (response) => response.statusCode,
        (error: Error) => error.name,
      );
    // The request stream is destroyed where the count passes the size: inject reports that as
    // an error (on a socket it is a reset, or the 413 when the client waits; see below).
    expect([413, 'TooLarge']).toContain(answer);
    expect(await app.storage.stat(keyOf(ticket))).toBeUndefined();
    expect(await filesOnDisk()).toEqual(before);
    // The upload can still receive its real file.
    expect((await putFile(app, ticket, Buffer.alloc(1000, 0x62))).statusCode).toBe(204);
  });
});

describe('over a real socket', () => {
  let base: string;
  beforeAll(async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  const onServer = (url: string) => `${base}${pathOf(url)}`;

  it('streams a file larger than BODY_LIMIT to disk, then completes it', async () => {
    const size = 3 * 1024 * 1024;
    const file = Buffer.alloc(size, 0x2c);
    const requested = await fetch(`${base}/api/v1/upload/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        filename: 'big.csv',
        contentType: 'text/csv',
        size,
        name: 'Socket Visitor',
        email: `socket-${Date.now()}@example.com`,
      }),
    });
    expect(requested.status).toBe(201);
    const ticket = (await requested.json()) as UploadTicket;

    const put = await fetch(onServer(ticket.uploadUrl), {
      method: 'PUT',
      headers: ticket.headers,
      body: file,
    });
    expect(put.status).toBe(204);
    expect((await app.storage.stat(keyOf(ticket)))?.size).toBe(size);

    const again = await fetch(onServer(ticket.uploadUrl), {
      method: 'PUT',
      headers: ticket.headers,
      body: 'x',
    });
    expect(again.status).toBe(409);

    const done = await fetch(`${base}/api/v1/upload/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upload-token': ticket.accessToken },
      body: JSON.stringify({ uploadId: ticket.uploadId }),
    });
    expect(done.status).toBe(202);
    expect(((await done.json()) as { status: string }).status).toBe('uploaded');
  });

  it('cuts a chunked body at the declared size and leaves no file behind', async () => {
    const ticket = await newUpload(app, { size: 100_000 });
    const chunk = new Uint8Array(32 * 1024).fill(0x61);
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent >= 20) controller.close();
        else {
          sent += 1;
          controller.enqueue(chunk);
        }
      },
    });
    const answer = await fetch(onServer(ticket.uploadUrl), {
      method: 'PUT',
      headers: ticket.headers,
      body,
      duplex: 'half',
    } as RequestInit).then(
      (response) => `${response.status} ${response.headers.get('connection')}`,
      () => 'connection reset',
    );
    // The server stops reading mid-body: the client sees the 413 (and the connection closes, as
    // the rest of the body cannot be taken for a next request) or, if it was still writing, a reset.
    expect(['413 close', 'connection reset']).toContain(answer);
    expect(await app.storage.stat(keyOf(ticket))).toBeUndefined();
    const partial = (await filesOnDisk()).filter((f) => f.includes('.incoming'));
    expect(partial).toEqual([]);
  });
});

describe('logs', () => {
  it('never carry the signature of an upload URL, nor the access token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logged = await testApp({}, { logger: createLogger({ logLevel: 'trace' }, sink) });
    try {
      const ticket = await newUpload(logged);
      const forged = new URL(ticket.uploadUrl);
      forged.searchParams.set('max', '999');
      expect((await putFile(logged, { ...ticket, uploadUrl: forged.toString() })).statusCode).toBe(
        403,
      );
      expect((await putFile(logged, ticket)).statusCode).toBe(204);
      await complete(logged, ticket);
      const sig = new URL(ticket.uploadUrl).searchParams.get('sig')!;
      const text = lines.join('');
      expect(text).toContain('/api/v1/upload/file');
      expect(text).not.toContain(sig);
      expect(text).not.toContain(ticket.accessToken);
    } finally {
      await logged.dispose();
    }
  });
});
