// The scan stage's throughput — file-scan as the worker runs it on a stored upload (stat, magic
// bytes sniffed on the way, clamd INSTREAM, move to clean/, the status and the analysis job
// committed) — as a ratio of raw clamd INSTREAM of the same file read from the same disk, in the
// same run. Goal ≥ 0.8. SIZE (bytes, default 100 MiB) and RUNS (default 5, medians) adjust it.
// Run: pnpm --filter @atrium/bench uploads-scan
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createDatabase, leads, uploads } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { createTestDatabase } from '@atrium/db/testing';
import { logCrm } from '@atrium/integrations/crm';
import { noopTransport } from '@atrium/integrations/mail';
import { clamdScanner } from '@atrium/integrations/scanner';
import { SHIPPED_CLAMD, startClamd } from '@atrium/integrations/testing';
import type { Logger } from '@atrium/jobs';
import { localStorage } from '@atrium/storage';
import { createProcessors } from '@atrium/worker';
import { median } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';

const SIZE = Number(process.env.SIZE ?? 100 * 1024 * 1024);
const RUNS = Number(process.env.RUNS ?? 5);
const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const MiB = 1024 * 1024;

const root = await mkdtemp(join(tmpdir(), 'atrium-bench-uploads-'));
const source = join(root, 'source.csv');
await pipeline(csvLines(SIZE), createWriteStream(source));

const clamd = await startClamd({
  ...SHIPPED_CLAMD,
  streamMaxLength: `${Math.ceil(SIZE / MiB) + 10}M`,
});
const test = await createTestDatabase();
const database = await createDatabase({ url: test.url, poolMax: 4 });
const storage = localStorage({
  root,
  signingSecret: randomBytes(32),
  uploadUrl: 'http://x.invalid/',
});
const scanner = clamdScanner({ port: clamd.port });
const { 'file-scan': scan } = createProcessors({
  db: database.db,
  mail: noopTransport(),
  crm: logCrm(log),
  publicAppUrl: 'https://app.example.com',
  uploads: {
    storage,
    scan: { mode: 'clamd', scanner },
    analyse: async () => {
      throw new Error('not analysed in this benchmark');
    },
    metrics: { outcome() {}, stage() {} },
    retentionDays: 30,
    now: () => new Date(),
    scannerRetry: { baseMs: 1000, maxMs: 1000 },
    lastAttempt: () => true,
  },
});
const [lead] = await database.db
  .insert(leads)
  .values({ email: 'bench@example.com' })
  .returning({ id: leads.id });

/** A fresh upload whose quarantined bytes are a hard link to the source: no copy per run. */
async function stagedUpload() {
  const key = `quarantine/${randomBytes(8).toString('hex')}`;
  await mkdir(join(root, 'quarantine'), { recursive: true });
  await link(source, join(root, key));
  const [row] = await database.db
    .insert(uploads)
    .values({
      leadId: lead!.id,
      filename: 'bench.csv',
      contentType: 'text/csv',
      size: SIZE,
      storageKey: key,
      accessTokenHash: randomBytes(16).toString('hex'),
      status: 'uploaded',
      requestIp: '127.0.0.1',
      expiresAt: new Date(Date.now() + 3_600_000),
    })
    .returning({ id: uploads.id });
  return row!.id;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

const raw: number[] = [];
const atrium: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    raw.push(
      await timed(async () => {
        const result = await scanner.scan(createReadStream(source));
        if (!result.clean) throw new Error('the generated file is not clean?');
      }),
    );
    const id = await stagedUpload();
    const context = { queue: 'file-scan' as const, jobId: id, idempotencyKey: id, attempt: 1, log };
    atrium.push(await timed(() => scan({ uploadId: id }, context)));
    const [row] = await database.db
      .select({ status: uploads.status })
      .from(uploads)
      .where(eq(uploads.id, id));
    if (row?.status !== 'clean') throw new Error(`file-scan ended ${row?.status}, not clean`);
  }
} finally {
  await database.close();
  await test.drop();
  await clamd.stop();
  await rm(root, { recursive: true, force: true });
}

const mibPerSecond = (seconds: number) => SIZE / MiB / seconds;
const rawRate = mibPerSecond(median(raw));
const atriumRate = mibPerSecond(median(atrium));
writeSection(
  'uploads-scan',
  `### Upload scan (file-scan vs raw clamd INSTREAM)

${machine()}; ${(SIZE / MiB).toFixed(1)} MiB CSV on local disk, clamd 127.0.0.1 on the shipped
signature database, median of ${RUNS} runs each.

| path | MiB/s | ratio |
|---|---|---|
| raw clamd INSTREAM of the file | ${rawRate.toFixed(1)} | 1.00 |
| file-scan (stat, sniff, INSTREAM, move, status + outbox) | ${atriumRate.toFixed(1)} | ${(atriumRate / rawRate).toFixed(2)} (goal ≥ 0.8) |`,
);

/** Harmless CSV text, `size` bytes exactly, generated a line at a time. */
async function* csvLines(size: number) {
  const line = Buffer.from('1234567,alpha,beta,2026-11-29T12:00:00Z,42.5,true\n');
  const block = Buffer.concat(Array.from({ length: 1024 }, () => line));
  let left = size;
  while (left > 0) {
    const piece = left >= block.length ? block : block.subarray(0, left);
    left -= piece.length;
    yield piece;
  }
}
