// Fault 2: Redis stopped for 30 s while the API keeps taking requests that enqueue email jobs.
// The API and worker run in this process (as `pnpm start` does) on PostgreSQL and a redis-server
// of the benchmark's own (AOF on, stopped with SIGTERM and started again on the same port).
// Run: pnpm --filter @atrium/bench jobs-redis-outage
import { buildApp } from '@atrium/api';
import { loadConfig } from '@atrium/config';
import { createDatabase } from '@atrium/db';
import { createTestDatabase } from '@atrium/db/testing';
import { startSmtpSink } from '@atrium/integrations/testing';
import { enqueue, type Logger } from '@atrium/jobs';
import { startWorker } from '@atrium/worker';
import { ownRedis, sleep, until } from './lib/jobs.js';
import { freePort } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';

const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 30_000);
const RATE = 50; // requests per second
const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const redis = await ownRedis();
const test = await createTestDatabase();
const database = await createDatabase({ url: test.url, poolMax: 10 });
const sink = await startSmtpSink();
const config = loadConfig({
  DATABASE_URL: test.url,
  REDIS_URL: redis.url,
  SMTP_URL: sink.url,
  LOG_LEVEL: 'silent',
  RATE_LIMIT_MAX: '0',
  PORT: String(await freePort()),
});
const app = await buildApp(config, { database });
// A stand-in for a feature route: a business write would share this transaction.
let n = 0;
app.post('/bench/signup', async (_request, reply) => {
  const i = n++;
  const payload = {
    to: `u${i}@example.com`,
    template: 'email-verification' as const,
    data: { token: `t${i}` },
  };
  await database.db.transaction((tx) =>
    enqueue(tx, 'email', payload, { idempotencyKey: `outage-${i}` }),
  );
  return reply.code(202).send({ queued: i });
});
const worker = await startWorker({ config, database, log });
await app.listen({ port: config.port, host: '127.0.0.1' });

type Result = { phase: string; status: number; ms: number };
const results: Result[] = [];
let phase = 'before';
/** Fires RATE requests a second until `stop()`; never waits for one to finish before the next. */
function load() {
  const inflight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const started = performance.now();
    const at = phase;
    const request = fetch(`http://127.0.0.1:${config.port}/bench/signup`, { method: 'POST' })
      .then((r) => r.status)
      .catch(() => 0)
      .then((status) => {
        results.push({ phase: at, status, ms: performance.now() - started });
      });
    inflight.add(request);
    void request.finally(() => inflight.delete(request));
  }, 1000 / RATE);
  return async () => {
    clearInterval(timer);
    await Promise.all([...inflight]);
  };
}

const stopLoad = load();
await sleep(5000);
phase = 'redis down';
await redis.stop();
await sleep(OUTAGE_MS);
phase = 'after';
await redis.start();
const returnedAt = performance.now();
await sleep(5000);
await stopLoad();

const accepted = results.filter((r) => r.status === 202).length;
const unique = () => new Set(sink.received.map((m) => m.messageId)).size;
await until('every accepted job delivered', () => unique() >= accepted, 120_000);
const drainedMs = performance.now() - returnedAt;
await sleep(3000);

const byPhase = ['before', 'redis down', 'after'].map((p) => {
  const rows = results.filter((r) => r.phase === p);
  const ok = rows.filter((r) => r.status === 202);
  const slowest = Math.max(...rows.map((r) => r.ms));
  return `| ${p} | ${rows.length} | ${ok.length} | ${rows.length - ok.length} | ${Math.round(slowest)} ms |`;
});
const delivered = unique();
const summary = {
  accepted,
  delivered,
  lost: accepted - delivered,
  duplicates: sink.received.length - delivered,
};
console.log(summary);
await app.close();
await worker.close();
await database.close();
await test.drop();
await redis.stop();
await sink.close();

writeSection(
  'jobs-redis-outage',
  `## Fault: Redis down for ${OUTAGE_MS / 1000} s under load (issue #6)

\`pnpm --filter @atrium/bench jobs-redis-outage\` — API + worker in one process on PostgreSQL and
a redis-server of the benchmark's own (AOF everysec), ${RATE} requests/s to a route that writes an
email job to the outbox in its transaction; Redis is stopped (SIGTERM) for ${OUTAGE_MS / 1000} s
and started again. Deliveries counted at an in-process SMTP server by Message-ID. ${machine()}.

| phase | requests | accepted (202) | refused or failed | slowest |
| ----- | -------- | -------------- | ----------------- | ------- |
${byPhase.join('\n')}

| accepted | delivered | lost | sent twice | Redis back → all delivered |
| -------- | --------- | ---- | ---------- | -------------------------- |
| ${accepted} | ${delivered} | ${summary.lost} | ${summary.duplicates} | ${(drainedMs / 1000).toFixed(1)} s |`,
);
process.exit(0);
