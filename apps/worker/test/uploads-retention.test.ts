import { fileAnalyses } from '@atrium/db';
import type { LocalStorage } from '@atrium/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintenance } from '../src/processors/maintenance.js';
import { context, testDatabase, testUploadDeps } from './support.js';
import { CSV, insertUpload, readUpload } from './uploads-support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
let storage: LocalStorage;
beforeAll(async () => {
  database = await testDatabase();
  storage = testUploadDeps().storage as LocalStorage;
});
afterAll(() => database?.dispose());

const DAY = 86_400_000;

/** Runs one maintenance task with the clock at `now`. */
function run(task: 'purge-uploads' | 'purge-stale-uploads', now: Date) {
  const uploads = testUploadDeps({ storage, now: () => now, retentionDays: 30 });
  return maintenance({ db: database.db, uploads })({ task }, context('maintenance', task));
}

describe('purge-uploads', () => {
  it('deletes the bytes of uploads past UPLOAD_RETENTION_DAYS, marks them purged and keeps metadata and analysis', async () => {
    const created = new Date();
    const old = await insertUpload(database, storage, {
      contentType: 'text/csv',
      bytes: CSV,
      status: 'analysed',
      createdAt: created,
    });
    await database.db.insert(fileAnalyses).values({
      uploadId: old.id,
      kind: 'csv',
      status: 'analysed',
      summary: '3 rows',
      result: { rows: 3 },
      durationMs: 5,
    });
    const younger = await insertUpload(database, storage, {
      contentType: 'text/csv',
      bytes: CSV,
      status: 'clean',
      createdAt: new Date(created.getTime() + 2 * DAY),
    });
    const rejected = await insertUpload(database, storage, {
      contentType: 'text/csv',
      status: 'rejected',
      createdAt: created,
    });

    // 29 days on nothing is due; 31 days on the first upload is.
    await run('purge-uploads', new Date(created.getTime() + 29 * DAY));
    expect((await readUpload(database, old.id)).status).toBe('analysed');

    const now = new Date(created.getTime() + 31 * DAY);
    await run('purge-uploads', now);
    const purged = await readUpload(database, old.id);
    expect(purged).toMatchObject({ status: 'purged', filename: old.filename, size: CSV.length });
    expect(purged.purgedAt?.getTime()).toBe(now.getTime());
    expect(purged.analysis).toMatchObject({ summary: '3 rows', result: { rows: 3 } });
    expect(await storage.stat(old.storageKey)).toBeUndefined();

    expect((await readUpload(database, younger.id)).status).toBe('clean');
    expect(await storage.stat(younger.storageKey)).toBeDefined();
    expect((await readUpload(database, rejected.id)).status).toBe('rejected');

    // Run again: nothing left to purge, and the purged upload stays as it is.
    await run('purge-uploads', now);
    expect((await readUpload(database, old.id)).purgedAt?.getTime()).toBe(now.getTime());
  });
});

describe('purge-stale-uploads', () => {
  it('removes pending uploads whose URL expired more than a day ago, with any bytes they got', async () => {
    const now = new Date(Date.now() + 10 * DAY);
    const stale = await insertUpload(database, storage, {
      contentType: 'text/csv',
      bytes: CSV,
      status: 'pending',
      expiresAt: new Date(now.getTime() - 2 * DAY),
    });
    const justExpired = await insertUpload(database, storage, {
      contentType: 'text/csv',
      status: 'pending',
      expiresAt: new Date(now.getTime() - 60_000),
    });
    const live = await insertUpload(database, storage, {
      contentType: 'text/csv',
      status: 'pending',
      expiresAt: new Date(now.getTime() + 60_000),
    });
    const completed = await insertUpload(database, storage, {
      contentType: 'text/csv',
      bytes: CSV,
      status: 'uploaded',
      expiresAt: new Date(now.getTime() - 2 * DAY),
    });

    await run('purge-stale-uploads', now);

    expect((await readUpload(database, stale.id)).id).toBeUndefined();
    expect(await storage.stat(stale.storageKey)).toBeUndefined();
    expect((await readUpload(database, justExpired.id)).status).toBe('pending');
    expect((await readUpload(database, live.id)).status).toBe('pending');
    expect((await readUpload(database, completed.id)).status).toBe('uploaded');
    expect(await storage.stat(completed.storageKey)).toBeDefined();
  });
});
