import { loadConfig } from '@atrium/config';
import { createTestPglite } from '@atrium/db/testing';
import { clamdScanner, type Scanner } from '@atrium/integrations/scanner';
import { type ClamdProcess, SHIPPED_CLAMD, startClamd } from '@atrium/integrations/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorker } from '../src/index.js';
import type { AnalysisOutcome } from '../src/processors/uploads/deps.js';
import { enqueueOne, log, testDatabase, testUploadDeps, workerConfig } from './support.js';
import { CSV, EICAR, insertUpload, jobsOf, readUpload } from './uploads-support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
let clamd: ClamdProcess;
beforeAll(async () => {
  [database, clamd] = await Promise.all([testDatabase(), startClamd(SHIPPED_CLAMD)]);
});
afterAll(async () => {
  await Promise.all([database?.dispose(), clamd?.stop()]);
});

/** clamd at a port that can be switched, as a network outage and its end would. */
function switchable(port: number): Scanner & { port: number } {
  const target = {
    port,
    name: 'switchable clamd',
    scan: (body: Parameters<Scanner['scan']>[0]) => clamdScanner({ port: target.port }).scan(body),
    ping: () => clamdScanner({ port: target.port, connectTimeoutMs: 500 }).ping(),
  };
  return target;
}

const analysed: AnalysisOutcome = {
  kind: 'csv',
  status: 'analysed',
  summary: '3 rows, 3 columns',
  result: { rows: 3 },
};

describe('the pipeline through the worker on BullMQ', () => {
  it('keeps a file quarantined and waiting while clamd is unreachable, then scans it clean once clamd is back', async () => {
    const uploads = testUploadDeps({ analyse: async () => analysed });
    const scanner = switchable(1); // nothing listens on port 1
    uploads.scan = { mode: 'clamd', scanner };
    const upload = await insertUpload(database, uploads.storage, {
      contentType: 'text/csv',
      bytes: CSV,
    });
    const worker = await startWorker({ config: workerConfig(), database, log, uploads });
    try {
      await enqueueOne(database, 'file-scan', { uploadId: upload.id }, `file-scan:${upload.id}`);
      await vi.waitFor(
        async () => {
          const now = await readUpload(database, upload.id);
          expect(now.stage('scan')).toMatchObject({ status: 'waiting' });
          expect(now.stage('scan')!.attempts).toBeGreaterThanOrEqual(2);
        },
        { timeout: 15_000, interval: 50 },
      );
      const waiting = await readUpload(database, upload.id);
      expect(waiting.status).toBe('scanning');
      expect(await uploads.storage.stat(upload.storageKey)).toBeDefined();

      scanner.port = clamd.port;
      await vi.waitFor(
        async () => expect((await readUpload(database, upload.id)).status).toBe('analysed'),
        { timeout: 15_000, interval: 50 },
      );
      const done = await readUpload(database, upload.id);
      expect(done.stage('scan')).toMatchObject({ status: 'done', error: null });
      expect(done.storageKey).toMatch(/^clean\//);
      expect(done.analysis).toMatchObject({
        kind: 'csv',
        status: 'analysed',
        summary: '3 rows, 3 columns',
      });
    } finally {
      await worker.close();
    }
  });
});

describe('the pipeline embedded (PGlite, jobs in-process, local disk)', () => {
  it('in development with no scanner: scan skipped, the CSV analysed, the email and CRM note queued', async () => {
    const embedded = await createTestPglite();
    const config = loadConfig({ NODE_ENV: 'development', OUTBOX_POLL_MS: '50' });
    const storage = testUploadDeps().storage;
    const worker = await startWorker({ config, database: embedded, log, uploads: { storage } });
    try {
      const upload = await insertUpload(embedded, storage, { contentType: 'text/csv', bytes: CSV });
      await enqueueOne(embedded, 'file-scan', { uploadId: upload.id }, `file-scan:${upload.id}`);
      await vi.waitFor(
        async () => expect((await readUpload(embedded, upload.id)).status).toBe('analysed'),
        { timeout: 15_000, interval: 50 },
      );
      const done = await readUpload(embedded, upload.id);
      expect(done.stage('scan')).toMatchObject({
        status: 'skipped',
        error: 'no scanner configured',
      });
      expect(done.storageKey).toBe(upload.storageKey);
      expect(done.analysis).toMatchObject({ kind: 'csv', status: 'analysed', result: { rows: 3 } });
      expect((await jobsOf(embedded, upload.id)).map((j) => j.key)).toEqual([
        `file-analysis:${upload.id}`,
        `file-scan:${upload.id}`,
        `upload:${upload.id}:crm`,
        `upload:${upload.id}:finished`,
      ]);
    } finally {
      await worker.close();
      await embedded.close();
    }
  });
});

describe('upload metrics', () => {
  it('counts outcomes and stage durations, and reads scanner reachability and bytes stored at scrape time', async () => {
    const registry = new Registry();
    const scanner = switchable(clamd.port);
    // Without `metrics`, the worker makes them on the registry it is given.
    const { metrics: _none, ...uploads } = testUploadDeps({
      scan: { mode: 'clamd', scanner },
      analyse: async () => analysed,
    });
    const clean = await insertUpload(database, uploads.storage, {
      contentType: 'text/csv',
      bytes: CSV,
    });
    const infected = await insertUpload(database, uploads.storage, {
      contentType: 'text/csv',
      bytes: EICAR,
    });
    const config = workerConfig({ REDIS_URL: '' });
    const worker = await startWorker({ config, database, log, uploads, metrics: registry });
    try {
      await enqueueOne(database, 'file-scan', { uploadId: clean.id }, `file-scan:${clean.id}`);
      await enqueueOne(
        database,
        'file-scan',
        { uploadId: infected.id },
        `file-scan:${infected.id}`,
      );
      await vi.waitFor(
        async () => {
          expect((await readUpload(database, clean.id)).status).toBe('analysed');
          expect((await readUpload(database, infected.id)).status).toBe('rejected');
        },
        { timeout: 15_000, interval: 50 },
      );
      const text = await registry.metrics();
      expect(text).toContain('atrium_uploads_total{outcome="clean"} 1');
      expect(text).toContain('atrium_uploads_total{outcome="infected"} 1');
      expect(text).toContain('atrium_uploads_total{outcome="analysed"} 1');
      expect(text).toMatch(
        /atrium_upload_stage_duration_seconds_count\{stage="scan",outcome="clean"\} 1/,
      );
      expect(text).toMatch(
        /atrium_upload_stage_duration_seconds_count\{stage="analysis",outcome="analysed"\} 1/,
      );
      expect(text).toContain('atrium_upload_scanner_up 1');
      // Every upload of this test database that still has bytes: the clean CSV among them.
      const stored = Number(/atrium_upload_bytes_stored (\d+)/.exec(text)?.[1]);
      expect(stored).toBeGreaterThanOrEqual(CSV.length);

      scanner.port = 1;
      expect(await registry.metrics()).toContain('atrium_upload_scanner_up 0');
    } finally {
      await worker.close();
    }
  });
});
