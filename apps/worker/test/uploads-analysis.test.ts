import { analyseFile, SourceError } from '@atrium/analysis';
import { uploads } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import type { LocalStorage } from '@atrium/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseUpload, type UploadDeps } from '../src/processors/uploads/index.js';
import { context, testDatabase, testUploadDeps } from './support.js';
import { CSV, insertUpload, jobsOf, readUpload } from './uploads-support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
let storage: LocalStorage;
beforeAll(async () => {
  database = await testDatabase();
  storage = testUploadDeps().storage as LocalStorage;
});
afterAll(() => database?.dispose());

/** A clean upload: bytes under clean/, status `clean`, as the scan leaves it. */
async function cleanUpload(contentType: string, bytes: Buffer, filename = 'people.csv') {
  const upload = await insertUpload(database, storage, { contentType, bytes, filename });
  const key = upload.storageKey.replace(/^quarantine\//, 'clean/');
  await storage.move(upload.storageKey, key);
  await database.db
    .update(uploads)
    .set({ status: 'clean', storageKey: key })
    .where(eq(uploads.id, upload.id));
  return { ...upload, storageKey: key };
}

function analyse(uploadId: string, overrides: Partial<UploadDeps> = {}, attempt = 1) {
  const deps = {
    db: database.db,
    uploads: testUploadDeps({ storage, analyse: analyseFile, ...overrides }),
  };
  return analyseUpload(deps)(
    { uploadId },
    { ...context('file-analysis', `file-analysis:${uploadId}`), attempt },
  );
}

describe('file-analysis', () => {
  it('analyses a clean CSV: column types and statistics stored, status analysed', async () => {
    const upload = await cleanUpload('text/csv', CSV);
    await analyse(upload.id);
    const after = await readUpload(database, upload.id);
    expect(after.status).toBe('analysed');
    expect(after.detail).toBeNull();
    expect(after.stage('analysis')).toMatchObject({ status: 'done', attempts: 1, error: null });
    expect(after.stage('notify')?.status).toBe('done');
    expect(after.analysis).toMatchObject({ kind: 'csv', status: 'analysed', error: null });
    const result = after.analysis!.result as {
      rows: number;
      columns: {
        name: string;
        type: string;
        empty: number;
        min?: number;
        max?: number;
        mean?: number;
      }[];
    };
    expect(result.rows).toBe(3);
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([
      ['name', 'text'],
      ['amount', 'decimal'],
      ['paid', 'boolean'],
    ]);
    expect(result.columns[1]).toMatchObject({ empty: 1, min: 7.5, max: 12, mean: 9.75 });
    expect(after.analysis!.summary.length).toBeGreaterThan(0);
  });

  it('queues the email and the CRM note once per upload when the job runs twice, even at once', async () => {
    const upload = await cleanUpload('text/csv', CSV, 'twice.csv');
    await Promise.all([analyse(upload.id), analyse(upload.id)]);
    await analyse(upload.id, {}, 2);
    const jobs = await jobsOf(database, upload.id);
    expect(jobs.map((j) => [j.queue, j.key])).toEqual([
      ['crm-sync', `upload:${upload.id}:crm`],
      ['email', `upload:${upload.id}:finished`],
    ]);
    const analysis = (await readUpload(database, upload.id)).analysis!;
    expect(jobs[1]!.payload).toEqual({
      to: upload.email,
      template: 'upload-finished',
      data: { fileName: 'twice.csv', uploadId: upload.id, outcome: 'ready' },
    });
    expect(jobs[0]!.payload).toEqual({
      email: upload.email,
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Analytical Engines',
      note: `Uploaded twice.csv (text/csv, ${CSV.length} bytes).\nAnalysis (csv): ${analysis.summary}`,
    });
  });

  it('records malformed input as a failed analysis with its reason, and still tells the uploader', async () => {
    const upload = await cleanUpload('application/json', Buffer.from('{"a": [1, 2'), 'broken.json');
    await analyse(upload.id);
    const after = await readUpload(database, upload.id);
    expect(after.status).toBe('failed');
    expect(after.analysis).toMatchObject({ kind: 'json', status: 'failed' });
    expect(after.analysis!.error).toBeTruthy();
    expect(after.detail).toBe(after.analysis!.error);
    expect(after.stage('analysis')).toMatchObject({
      status: 'failed',
      error: after.analysis!.error,
    });
    expect((await jobsOf(database, upload.id)).map((j) => j.queue)).toEqual(['crm-sync', 'email']);
  });

  it('retries when the bytes cannot be read, and says so on the last attempt', async () => {
    const upload = await cleanUpload('text/csv', CSV);
    await storage.delete(upload.storageKey);
    await expect(analyse(upload.id)).rejects.toBeInstanceOf(SourceError);
    const waiting = await readUpload(database, upload.id);
    expect(waiting.status).toBe('analysing');
    expect(waiting.analysis).toBeUndefined();
    expect(await jobsOf(database, upload.id)).toEqual([]);

    await analyse(upload.id, { lastAttempt: () => true }, 5);
    const after = await readUpload(database, upload.id);
    expect(after).toMatchObject({
      status: 'failed',
      detail: 'the file could not be read from storage',
    });
    expect(after.stage('analysis')).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('fails a type no analyser reads, with a reason, never a crashed job', async () => {
    const upload = await cleanUpload('application/pdf', Buffer.from('%PDF-1.7\n'), 'x.pdf');
    await analyse(upload.id);
    expect(await readUpload(database, upload.id)).toMatchObject({
      status: 'failed',
      detail: 'there is no analyser for this type of file',
    });
  });

  it('does nothing for an upload that was rejected', async () => {
    const upload = await insertUpload(database, storage, {
      contentType: 'text/csv',
      bytes: CSV,
      status: 'rejected',
    });
    await analyse(upload.id);
    expect((await readUpload(database, upload.id)).status).toBe('rejected');
    expect(await jobsOf(database, upload.id)).toEqual([]);
  });
});
