import { clamdScanner } from '@atrium/integrations/scanner';
import { type ClamdProcess, SHIPPED_CLAMD, startClamd } from '@atrium/integrations/testing';
import { RetryLaterError } from '@atrium/jobs';
import type { LocalStorage, S3Storage, Storage } from '@atrium/storage';
import { s3Storage } from '@atrium/storage/s3';
import { type S3TestServer, startS3Server } from '@atrium/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScanPolicy, scanFile } from '../src/processors/uploads/index.js';
import { context, testDatabase, testUploadDeps } from './support.js';
import { CSV, EICAR, ELF, insertUpload, jobsOf, readUpload, ZIP } from './uploads-support.js';

const BUCKET = 'atrium-worker-uploads';
let database: Awaited<ReturnType<typeof testDatabase>>;
let clamd: ClamdProcess;
let s3: S3TestServer;
let bucket: S3Storage;
let disk: LocalStorage;
beforeAll(async () => {
  [database, clamd, s3] = await Promise.all([
    testDatabase(),
    startClamd(SHIPPED_CLAMD),
    startS3Server({ buckets: [BUCKET] }),
  ]);
  bucket = s3Storage({
    bucket: BUCKET,
    region: s3.region,
    endpoint: s3.endpoint,
    credentials: s3.credentials,
  });
  disk = testUploadDeps().storage as LocalStorage;
});
afterAll(async () => {
  bucket?.close();
  await Promise.all([database?.dispose(), clamd?.stop(), s3?.close()]);
});

const clamdPolicy = (): ScanPolicy => ({
  mode: 'clamd',
  scanner: clamdScanner({ port: clamd.port }),
});

/** Runs the file-scan processor once, as a driver would deliver the job. */
function scan(storage: Storage, uploadId: string, scanPolicy: ScanPolicy = clamdPolicy()) {
  const deps = { db: database.db, uploads: testUploadDeps({ storage, scan: scanPolicy }) };
  return scanFile(deps)({ uploadId }, context('file-scan', `file-scan:${uploadId}`));
}

describe.each([
  ['the local driver', () => disk],
  ['S3', () => bucket],
])('file-scan through %s', (_, store) => {
  it('rejects EICAR as infected with the signature name, deletes the bytes and tells the uploader', async () => {
    const storage = store();
    const upload = await insertUpload(database, storage, { contentType: 'text/csv', bytes: EICAR });
    await scan(storage, upload.id);

    const after = await readUpload(database, upload.id);
    expect(after.status).toBe('rejected');
    expect(after.rejection).toBe('infected');
    expect(after.detail).toMatch(/^Eicar-Test-Signature/);
    expect(after.stage('scan')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^infected: Eicar/),
    });
    expect(after.stage('analysis')?.status).toBe('skipped');
    expect(await storage.stat(upload.storageKey)).toBeUndefined();
    const jobs = await jobsOf(database, upload.id);
    expect(jobs).toEqual([
      {
        queue: 'email',
        key: `upload:${upload.id}:finished`,
        payload: {
          to: upload.email,
          template: 'upload-finished',
          data: { fileName: upload.filename, uploadId: upload.id, outcome: 'rejected' },
        },
      },
    ]);
  });

  it('moves a clean CSV from quarantine to clean and queues its analysis in the same step', async () => {
    const storage = store();
    const upload = await insertUpload(database, storage, { contentType: 'text/csv', bytes: CSV });
    await scan(storage, upload.id);

    const after = await readUpload(database, upload.id);
    expect(after.status).toBe('clean');
    expect(after.storageKey).toBe(upload.storageKey.replace(/^quarantine\//, 'clean/'));
    expect(after.stage('scan')).toMatchObject({ status: 'done', attempts: 1, error: null });
    expect(after.stage('scan')?.finishedAt).toBeInstanceOf(Date);
    expect(await storage.stat(upload.storageKey)).toBeUndefined();
    expect((await storage.stat(after.storageKey))?.size).toBe(CSV.length);
    expect((await jobsOf(database, upload.id)).map((j) => [j.queue, j.key])).toEqual([
      ['file-analysis', `file-analysis:${upload.id}`],
    ]);
  });
});

describe('file-scan: what the bytes are', () => {
  it.each([
    ['image/png', 'application/zip', ZIP],
    ['image/png', 'application/x-elf', ELF],
    ['text/csv', 'application/x-elf', ELF],
    ['application/json', 'application/zip', ZIP],
  ])(
    'rejects %s whose bytes are %s: a type mismatch, bytes deleted',
    async (type, found, bytes) => {
      const upload = await insertUpload(database, disk, { contentType: type, bytes });
      await scan(disk, upload.id);
      const after = await readUpload(database, upload.id);
      expect(after).toMatchObject({ status: 'rejected', rejection: 'type_mismatch' });
      expect(after.detail).toBe(`declared ${type}, but the bytes are ${found}`);
      expect(await disk.stat(upload.storageKey)).toBeUndefined();
    },
  );

  it('rejects a declared PNG whose bytes have no magic number at all', async () => {
    const upload = await insertUpload(database, disk, { contentType: 'image/png', bytes: CSV });
    await scan(disk, upload.id);
    expect(await readUpload(database, upload.id)).toMatchObject({
      status: 'rejected',
      rejection: 'type_mismatch',
      detail: 'declared image/png, but the bytes are of no known type',
    });
  });

  it('rejects bytes whose size is not the declared size, before reading them', async () => {
    const upload = await insertUpload(database, disk, {
      contentType: 'text/csv',
      bytes: CSV,
      size: CSV.length - 1,
    });
    await scan(disk, upload.id);
    expect(await readUpload(database, upload.id)).toMatchObject({
      status: 'rejected',
      rejection: 'size_mismatch',
      detail: `declared ${CSV.length - 1} bytes, stored ${CSV.length}`,
    });
    expect(await disk.stat(upload.storageKey)).toBeUndefined();
  });
});

describe('file-scan without clamd', () => {
  it('in development records the scan as skipped, keeps the bytes in quarantine and never says clean', async () => {
    const upload = await insertUpload(database, disk, { contentType: 'text/csv', bytes: CSV });
    await scan(disk, upload.id, { mode: 'skip', reason: 'no scanner configured' });
    const after = await readUpload(database, upload.id);
    expect(after.status).toBe('analysing');
    expect(after.storageKey).toBe(upload.storageKey);
    expect(after.stage('scan')).toMatchObject({
      status: 'skipped',
      error: 'no scanner configured',
    });
    expect(after.stage('analysis')?.status).toBe('pending');
    expect((await jobsOf(database, upload.id)).map((j) => j.queue)).toEqual(['file-analysis']);
  });

  it('still refuses a type mismatch when the scan is skipped', async () => {
    const upload = await insertUpload(database, disk, { contentType: 'image/png', bytes: ELF });
    await scan(disk, upload.id, { mode: 'skip', reason: 'no scanner configured' });
    expect((await readUpload(database, upload.id)).rejection).toBe('type_mismatch');
  });

  it('in production keeps the file quarantined and waiting, and postpones the job', async () => {
    const upload = await insertUpload(database, disk, { contentType: 'text/csv', bytes: CSV });
    const failure = await scan(disk, upload.id, {
      mode: 'wait',
      reason: 'no scanner configured',
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetryLaterError);
    const after = await readUpload(database, upload.id);
    expect(after.status).toBe('scanning');
    expect(after.stage('scan')).toMatchObject({
      status: 'waiting',
      error: 'waiting for the scanner',
    });
    expect(await disk.stat(upload.storageKey)).toBeDefined();
    expect(await jobsOf(database, upload.id)).toEqual([]);
  });

  it('postpones with a growing delay while clamd cannot be reached', async () => {
    const upload = await insertUpload(database, disk, { contentType: 'text/csv', bytes: CSV });
    const closed: ScanPolicy = { mode: 'clamd', scanner: clamdScanner({ port: 1 }) };
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const failure = await scan(disk, upload.id, closed).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RetryLaterError);
      delays.push((failure as RetryLaterError).retryInMs);
    }
    expect(delays).toEqual([20, 40, 80]);
    const after = await readUpload(database, upload.id);
    expect(after).toMatchObject({ status: 'scanning', storageKey: upload.storageKey });
    expect(after.stage('scan')).toMatchObject({ status: 'waiting', attempts: 3 });

    await scan(disk, upload.id);
    const clean = await readUpload(database, upload.id);
    expect(clean.status).toBe('clean');
    expect(clean.stage('scan')).toMatchObject({ status: 'done', attempts: 4, error: null });
  });
});

describe('file-scan delivered twice', () => {
  it('records one verdict and queues one analysis for a clean file', async () => {
    const upload = await insertUpload(database, bucket, { contentType: 'text/csv', bytes: CSV });
    await scan(bucket, upload.id);
    await scan(bucket, upload.id);
    expect(await jobsOf(database, upload.id)).toHaveLength(1);
    expect((await readUpload(database, upload.id)).stage('scan')?.attempts).toBe(1);
  });

  it('finishes the move an interrupted attempt began (bytes already in clean/)', async () => {
    const upload = await insertUpload(database, disk, { contentType: 'text/csv', bytes: CSV });
    await disk.move(upload.storageKey, upload.storageKey.replace(/^quarantine\//, 'clean/'));
    await scan(disk, upload.id);
    expect((await readUpload(database, upload.id)).status).toBe('clean');
  });

  it('sends one rejection email for an infected file scanned twice, and leaves no bytes', async () => {
    const upload = await insertUpload(database, disk, { contentType: 'text/csv', bytes: EICAR });
    await scan(disk, upload.id);
    // The bytes reappear as if the delete had been lost in a crash: the retry deletes them.
    await disk.put(upload.storageKey, EICAR);
    await scan(disk, upload.id);
    expect(await jobsOf(database, upload.id)).toHaveLength(1);
    expect(await disk.stat(upload.storageKey)).toBeUndefined();
  });
});
