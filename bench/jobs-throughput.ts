// Throughput of the job path end to end — outbox write (one job per transaction, 50 producers)
// → relay → BullMQ → the real email processor (deliveries claim + no-op transport) — as a ratio
// of bare BullMQ add + no-op process of the same jobs, in the same run. Goal ≥ 0.5.
// Run: pnpm --filter @atrium/bench jobs-throughput
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@atrium/config';
import { createDatabase } from '@atrium/db';
import { createTestDatabase } from '@atrium/db/testing';
import { noopTransport } from '@atrium/integrations/mail';
import { enqueue, type Logger } from '@atrium/jobs';
import { startWorker } from '@atrium/worker';
import { Queue, Worker } from 'bullmq';
import { SHARED_REDIS_URL, until } from './lib/jobs.js';
import { machine, writeSection } from './lib/report.js';

const JOBS = Number(process.env.JOBS ?? 5000);
const PRODUCERS = 50;
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 10);
const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const prefix = () => `atrium-bench-${randomBytes(4).toString('hex')}`;
const payload = (i: number) => ({
  to: `user${i}@example.com`,
  template: 'password-reset' as const,
  data: { token: `t${i}` },
});

/** Runs `produce(i)` for i in [0, JOBS) from PRODUCERS concurrent loops. */
async function fanOut(produce: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < JOBS) await produce(next++);
    }),
  );
}

async function bare(): Promise<number> {
  const connection = { url: SHARED_REDIS_URL, maxRetriesPerRequest: null };
  const p = prefix();
  const queue = new Queue('email', { connection, prefix: p });
  let processed = 0;
  const worker = new Worker('email', async () => {}, {
    connection,
    prefix: p,
    concurrency: CONCURRENCY,
  });
  worker.on('completed', () => processed++);
  await worker.waitUntilReady();
  const started = performance.now();
  await fanOut((i) => queue.add('email', { payload: payload(i) }, { removeOnComplete: true }));
  await until('bare BullMQ jobs', () => processed >= JOBS, 120_000);
  const rate = JOBS / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return rate;
}

/** Writes every job to the outbox, one transaction each, from PRODUCERS concurrent loops. */
const produce = (database: Awaited<ReturnType<typeof createDatabase>>) =>
  fanOut((i) =>
    database.db.transaction((tx) =>
      enqueue(tx, 'email', payload(i), { idempotencyKey: `tp-${i}` }),
    ),
  );

/**
 * The job path on a fresh database. `overlap`: producers and the worker run together (end to
 * end); otherwise the outbox is filled first (timed alone), then drained by the worker (timed).
 */
async function pipeline(overlap: boolean) {
  const test = await createTestDatabase();
  // Separate pools, as the API and worker processes have: producers must not starve the worker.
  const database = await createDatabase({ url: test.url, poolMax: 20 });
  const workerDatabase = await createDatabase({ url: test.url, poolMax: 10 });
  const config = loadConfig({
    DATABASE_URL: test.url,
    REDIS_URL: SHARED_REDIS_URL,
    QUEUE_PREFIX: prefix(),
    WORKER_CONCURRENCY: String(CONCURRENCY),
  });
  const mail = noopTransport();
  const rate = (since: number) => JOBS / ((performance.now() - since) / 1000);
  let writeRate = 0;
  if (!overlap) {
    const started = performance.now();
    await produce(database);
    writeRate = rate(started);
  }
  const started = performance.now();
  const worker = await startWorker({ config, database: workerDatabase, log, mail });
  if (overlap) await produce(database);
  await until('jobs processed', () => mail.sent >= JOBS, 120_000);
  const processRate = rate(started);
  await worker.close();
  await workerDatabase.close();
  await database.close();
  await test.drop();
  return { writeRate, processRate };
}

const bareRate = await bare();
const e2eRate = (await pipeline(true)).processRate;
const split = await pipeline(false);
const ratio = e2eRate / bareRate;
console.log({ bareRate, e2eRate, ratio, split });
const vs = (rate: number) => `${(rate / bareRate).toFixed(2)}×`;

writeSection(
  'jobs-throughput',
  `## Job throughput, end to end vs bare BullMQ (issue #6)

\`pnpm --filter @atrium/bench jobs-throughput\` — ${JOBS} email jobs, ${PRODUCERS} concurrent
producers, worker concurrency ${CONCURRENCY}, PostgreSQL + Redis on loopback. End to end: one
outbox insert + NOTIFY per transaction → relay (batches of 100, \`addBulk\`) → BullMQ → the real
email processor (template render, deliveries claim and \`done\` write, no-op transport). Bare:
\`queue.add\` of the same payloads (${PRODUCERS} in flight) → no-op BullMQ worker. Goal ≥ 0.5.
${machine()}.

| path | jobs/s | vs bare BullMQ |
| ---- | ------ | -------------- |
| bare BullMQ add + no-op process | ${Math.round(bareRate)} | 1.00× |
| **end to end**: outbox write → relay → BullMQ → processor | ${Math.round(e2eRate)} | **${vs(e2eRate)}** |
| its first half alone: outbox writes (one transaction per job) | ${Math.round(split.writeRate)} | ${vs(split.writeRate)} |
| its second half alone: relay → BullMQ → processor, outbox pre-filled | ${Math.round(split.processRate)} | ${vs(split.processRate)} |`,
);
process.exit(0);
