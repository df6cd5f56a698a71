import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlreadyExists,
  BadSignature,
  InvalidKey,
  type LocalStorage,
  localStorage,
  NotFound,
  TooLarge,
  verifyUploadSignature,
} from '../src/index.js';

const SECRET = 'a test signing secret of 32 bytes+';
const MiB = 1024 * 1024;
let root: string;
let storage: LocalStorage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'atrium-storage-'));
  storage = localStorage({
    root,
    signingSecret: SECRET,
    uploadUrl: 'https://api.example.com/api/v1/upload/put',
  });
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function text(stream: Readable) {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Everything on disk under the root, partial uploads included. */
async function filesOnDisk() {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/** A body that arrives in `chunks` pieces of `size` bytes and never exists whole. */
function generated(chunks: number, size = MiB) {
  const piece = Buffer.alloc(size, 120);
  return Readable.from(
    (function* () {
      for (let i = 0; i < chunks; i++) yield piece;
    })(),
  );
}

describe('local storage keys', () => {
  const escapes = [
    '../outside',
    'a/../../b',
    '/etc/passwd',
    'a/./b',
    'a//b',
    'nul\0byte',
    'back\\slash',
    '',
    '.incoming/x',
    'quarantine/',
  ];

  it.each(escapes)('refuses the key %j in every operation', async (key) => {
    const attempts = [
      storage.put(key, Buffer.from('x')),
      storage.read(key),
      storage.stat(key),
      storage.delete(key),
      storage.move(key, 'clean/a'),
      storage.move('quarantine/a', key),
      storage.writeUploadStream(key, Readable.from(['x']), { maxBytes: 10 }),
      storage.uploadTarget({ key, maxBytes: 1, contentType: 'text/csv', expiresInSeconds: 60 }),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(InvalidKey);
    expect(await filesOnDisk()).toEqual([]);
  });
});

describe('local storage objects', () => {
  it('puts, reads, lists by prefix, moves quarantine to clean and deletes', async () => {
    await storage.put('quarantine/a', Buffer.from('alpha'));
    await storage.put('quarantine/b', Readable.from(['be', 'ta']));
    await storage.put('results/a', Buffer.from('{}'));
    const listed = [];
    for await (const object of storage.list('quarantine/')) listed.push(object.key);
    expect(listed.sort()).toEqual(['quarantine/a', 'quarantine/b']);

    await storage.move('quarantine/a', 'clean/a');
    expect(await storage.stat('quarantine/a')).toBeUndefined();
    expect(await text(await storage.read('clean/a'))).toBe('alpha');
    expect((await storage.stat('clean/a'))?.size).toBe(5);

    await storage.delete('clean/a');
    await storage.delete('clean/a');
    expect(await storage.stat('clean/a')).toBeUndefined();
    await expect(storage.read('clean/a')).rejects.toBeInstanceOf(NotFound);
    await expect(storage.move('clean/a', 'clean/b')).rejects.toBeInstanceOf(NotFound);
  });
});

describe('signed local upload URLs', () => {
  const request = {
    key: 'quarantine/u1',
    maxBytes: 1000,
    contentType: 'text/csv',
    expiresInSeconds: 600,
  };

  it('gives a PUT URL whose signature verifies to the key, size and content type', async () => {
    const target = await storage.uploadTarget(request);
    expect(target.method).toBe('PUT');
    expect(target.headers).toEqual({ 'content-type': 'text/csv' });
    const url = new URL(target.url);
    expect(url.origin + url.pathname).toBe('https://api.example.com/api/v1/upload/put');
    const allowed = verifyUploadSignature(SECRET, url.searchParams);
    expect(allowed).toEqual({
      key: 'quarantine/u1',
      maxBytes: 1000,
      contentType: 'text/csv',
      expiresAt: target.expiresAt,
    });
  });

  const tampering: [string, string][] = [
    ['key', 'quarantine/u2'],
    ['max', '1001'],
    ['type', 'application/octet-stream'],
    ['exp', '99999999999'],
    ['sig', 'A'.repeat(43)],
  ];
  it.each(tampering)('refuses the URL when %s is changed to %j', async (param, value) => {
    const query = new URL((await storage.uploadTarget(request)).url).searchParams;
    query.set(param, value);
    expect(() => verifyUploadSignature(SECRET, query)).toThrow(new BadSignature('mismatch'));
  });

  it('refuses a URL signed with another secret, and malformed ones', async () => {
    const query = new URL((await storage.uploadTarget(request)).url).searchParams;
    expect(() => verifyUploadSignature(`${SECRET}-other`, query)).toThrow(BadSignature);
    for (const param of ['key', 'max', 'type', 'exp', 'sig']) {
      const missing = new URLSearchParams(query);
      missing.delete(param);
      expect(() => verifyUploadSignature(SECRET, missing)).toThrow(new BadSignature('malformed'));
    }
    const padded = new URLSearchParams(query);
    padded.set('sig', `${query.get('sig')}!`);
    expect(() => verifyUploadSignature(SECRET, padded)).toThrow(new BadSignature('malformed'));
  });

  it.each([
    { maxBytes: -1 },
    { maxBytes: 1.5 },
    { expiresInSeconds: 0 },
    { expiresInSeconds: 8 * 24 * 3600 },
    { contentType: 'text/csv; charset=utf-8' },
    { contentType: 'text/csv\r\nx-evil: 1' },
  ])('refuses to sign an upload with %j', async (change) => {
    await expect(storage.uploadTarget({ ...request, ...change })).rejects.toBeInstanceOf(
      RangeError,
    );
  });

  it('refuses the URL once it has expired', async () => {
    const target = await storage.uploadTarget({ ...request, expiresInSeconds: 60 });
    const query = new URL(target.url).searchParams;
    const justBefore = new Date(target.expiresAt.getTime() - 1000);
    expect(verifyUploadSignature(SECRET, query, justBefore).key).toBe('quarantine/u1');
    expect(() => verifyUploadSignature(SECRET, query, target.expiresAt)).toThrow(
      new BadSignature('expired'),
    );
  });
});

describe('local upload streams', () => {
  it('writes a body within the declared size and leaves no partial file', async () => {
    const stored = await storage.writeUploadStream(
      'quarantine/u1',
      Readable.from(['a,b\n', '1,2\n']),
      {
        maxBytes: 8,
      },
    );
    expect(stored.size).toBe(8);
    expect(await readFile(join(root, 'quarantine/u1'), 'utf8')).toBe('a,b\n1,2\n');
    expect(await filesOnDisk()).toEqual(['u1']);
  });

  it('cuts a body that goes past the declared size mid-stream: TooLarge, nothing left on disk', async () => {
    let pulled = 0;
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) {
          pulled++;
          yield Buffer.alloc(64 * 1024, 1);
        }
      })(),
    );
    await expect(
      storage.writeUploadStream('quarantine/u1', body, { maxBytes: 100 * 1024 }),
    ).rejects.toBeInstanceOf(TooLarge);
    // Cut as the limit passed, not after reading the whole body.
    expect(pulled).toBeLessThan(64);
    expect(await storage.stat('quarantine/u1')).toBeUndefined();
    expect(await filesOnDisk()).toEqual([]);
  });

  it('refuses a second write to the same key and keeps the first', async () => {
    await storage.writeUploadStream('quarantine/u1', Readable.from(['first']), { maxBytes: 10 });
    await expect(
      storage.writeUploadStream('quarantine/u1', Readable.from(['second']), { maxBytes: 10 }),
    ).rejects.toBeInstanceOf(AlreadyExists);
    expect(await text(await storage.read('quarantine/u1'))).toBe('first');
    expect(await filesOnDisk()).toEqual(['u1']);
  });

  it('lets exactly one of two racing writes to one key win', async () => {
    const results = await Promise.allSettled([
      storage.writeUploadStream('quarantine/u1', generated(4), { maxBytes: 4 * MiB }),
      storage.writeUploadStream('quarantine/u1', generated(4), { maxBytes: 4 * MiB }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = results.find((result) => result.status === 'rejected');
    expect(failure?.reason).toBeInstanceOf(AlreadyExists);
    expect(await filesOnDisk()).toEqual(['u1']);
  });

  it('writes a 200 MiB stream without holding it in memory', async () => {
    const before = process.memoryUsage().rss;
    const stored = await storage.writeUploadStream('quarantine/big', generated(200), {
      maxBytes: 200 * MiB,
    });
    const growth = process.memoryUsage().rss - before;
    expect(stored.size).toBe(200 * MiB);
    // Loose on purpose: a body held whole would add 200 MiB.
    expect(growth).toBeLessThan(100 * MiB);
  });
});
