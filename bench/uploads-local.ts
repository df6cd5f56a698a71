// Local-driver upload (issue #14): PUT throughput of the signed upload route (signature check,
// one database read, streamed to disk with a byte count, no-clobber link into place) against a
// bare Fastify route piping the body to a file, in the same run; and the API's RSS growth while
// it receives them (the body is never buffered, so it should not grow with the file size).
// Goal: ≥ 0.7 of the bare route. Medians of ROUNDS rounds; tickets are requested untimed first.
// Run: pnpm --filter @atrium/bench uploads-local   (SIZE_MIB=100 FILES=8 CONCURRENCY=2 ROUNDS=3)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadTicket } from '@atrium/contracts';
import { createTestDatabase } from '@atrium/db/testing';
import { median, rssMiB, stop } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';
import { API_MAIN, startServer } from './lib/server.js';

const SIZE = Math.round(Number(process.env.SIZE_MIB ?? 100) * 1024 * 1024);
const FILES = Number(process.env.FILES ?? 8);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 2);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BASELINE = new URL('./uploads-baseline-server.mjs', import.meta.url).pathname;

const body = Buffer.alloc(SIZE, 'a,1\n');

/** Sends `targets` CONCURRENCY at a time; MiB/s over the whole batch. */
async function putAll(targets: { url: string; headers: Record<string, string> }[]) {
  const queue = [...targets];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const response = await fetch(next.url, { method: 'PUT', headers: next.headers, body });
        if (response.status !== 204) throw new Error(`PUT answered ${response.status}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return (targets.length * SIZE) / (1024 * 1024) / seconds;
}

async function tickets(url: string, count: number) {
  const made: UploadTicket[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${url}/api/v1/upload/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        filename: `bench-${i}.csv`,
        contentType: 'text/csv',
        size: SIZE,
        name: 'Bench',
        email: `bench-${Date.now()}-${i}@example.com`,
      }),
    });
    if (response.status !== 201) throw new Error(`request answered ${response.status}`);
    made.push((await response.json()) as UploadTicket);
  }
  return made.map((t) => ({ url: t.uploadUrl, headers: t.headers ?? {} }));
}

const database = await createTestDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'atrium-bench-uploads-'));
const api = await startServer(API_MAIN, {
  DATABASE_URL: database.url,
  DATA_DIR: join(dataDir, 'api'),
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '0',
  UPLOAD_LIMIT_PER_IP: '1000000',
  UPLOAD_LIMIT_PER_EMAIL: '1000000',
  UPLOAD_MAX_BYTES: String(Math.max(SIZE, 1)),
});
const baseline = await startServer(BASELINE, { DATA_DIR: join(dataDir, 'baseline') });
try {
  const ours: number[] = [];
  const bare: number[] = [];
  const growth: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const targets = await tickets(api.url, FILES);
    const before = rssMiB(api.child.pid!);
    ours.push(await putAll(targets));
    growth.push(rssMiB(api.child.pid!) - before);
    bare.push(
      await putAll(
        Array.from({ length: FILES }, () => ({
          url: `${baseline.url}/upload`,
          headers: { 'content-type': 'text/csv' },
        })),
      ),
    );
    console.log(
      `round ${round + 1}: ${ours.at(-1)!.toFixed(0)} vs ${bare.at(-1)!.toFixed(0)} MiB/s`,
    );
  }
  const ratio = median(ours) / median(bare);
  writeSection(
    'uploads-local',
    `### Local-driver upload (issue #14)

${machine()}. ${FILES} files of ${(SIZE / 1024 / 1024).toFixed(0)} MiB, ${CONCURRENCY} at a time, median of ${ROUNDS} rounds.

| route | MiB/s |
| --- | --- |
| bare Fastify piping the body to a file | ${median(bare).toFixed(0)} |
| \`PUT /api/v1/upload/file\` (signed URL, streamed, counted) | ${median(ours).toFixed(0)} |

Ratio ${ratio.toFixed(2)} (goal ≥ 0.7). API RSS growth while receiving: ${median(growth).toFixed(1)} MiB (median).`,
  );
} finally {
  await stop(api.child);
  await stop(baseline.child);
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
