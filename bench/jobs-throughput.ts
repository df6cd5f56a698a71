// Throughput of the job path end to end — outbox write (one INSERT a job, 50 producers) → relay
// → BullMQ → the real email processor (deliveries claim + no-op transport) — as a ratio
// of bare BullMQ add + no-op process of the same jobs, in the same run. Goal ≥ 0.5. Also the CPU
// each path uses per job, which is what bounds the ratio on a small machine.
// Run: pnpm --filter @atrium/bench jobs-throughput
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadConfig } from '@atrium/config';
import { createDatabase, selectRows } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import { createTestDatabase } from '@atrium/db/testing';
import { noopTransport } from '@atrium/integrations/mail';
import { enqueue, type Logger, OUTBOX_CHANNEL, once } from '@atrium/jobs';
import { startWorker } from '@atrium/worker';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { SHARED_REDIS_URL, until } from './lib/jobs.js';
import { machine, writeSection } from './lib/report.js';

const JOBS = Number(process.env.JOBS ?? 5000);
const PRODUCERS = 50;
/** The worker's default concurrency, and a higher one for I/O-bound deployments. */
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 10);
const HIGH_CONCURRENCY = 50;
const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const prefix = () => `atrium-bench-${randomBytes(4).toString('hex')}`;
const payload = (i: number) => ({
  to: `user${i}@example.com`,
  template: 'password-reset' as const,
  data: { token: `t${i}` },
});

/** CPU milliseconds (user + system) a local process has used, from /proc; NaN where unreadable. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  } catch {
    return Number.NaN;
  }
}

const redisPid = await (async () => {
  const redis = new Redis(SHARED_REDIS_URL);
  const info = await redis.info('server');
  redis.disconnect();
  return Number(/process_id:(\d+)/.exec(info)?.[1]);
})();

/** CPU per job from now on: this process's and the Redis server's (shared with other clients). */
function cpuMeter() {
  const node = process.cpuUsage();
  const redis = cpuMs(redisPid);
  return () => {
    const used = process.cpuUsage(node);
    return {
      node: (used.user + used.system) / 1000 / JOBS,
      redis: (cpuMs(redisPid) - redis) / JOBS,
    };
  };
}

/** Runs `produce(i)` for i in [0, JOBS) from PRODUCERS concurrent loops. */
async function fanOut(produce: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < JOBS) await produce(next++);
    }),
  );
}

async function bare(concurrency = CONCURRENCY) {
  const connection = { url: SHARED_REDIS_URL, maxRetriesPerRequest: null };
  const p = prefix();
  const queue = new Queue('email', { connection, prefix: p });
  let processed = 0;
  const worker = new Worker('email', async () => {}, {
    connection,
    prefix: p,
    concurrency,
  });
  worker.on('completed', () => processed++);
  await worker.waitUntilReady();
  const cpu = cpuMeter();
  const started = performance.now();
  await fanOut((i) => queue.add('email', { payload: payload(i) }, { removeOnComplete: true }));
  await until('bare BullMQ jobs', () => processed >= JOBS, 120_000);
  const rate = JOBS / ((performance.now() - started) / 1000);
  const used = cpu();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { rate, cpu: { ...used, postgres: 0 } };
}

type Handle = Awaited<ReturnType<typeof createDatabase>>;

/** How a producer writes its job to the outbox. */
type Write = 'statement' | 'transaction' | 'transaction with NOTIFY inside';

/**
 * Writes every job to the outbox from PRODUCERS concurrent loops: `statement`, one INSERT on the
 * handle (it commits on its own), which is all the outbox adds to a request that already has a
 * transaction for its business change; `transaction`, the INSERT in a BEGIN … COMMIT of its own;
 * the last, the earlier design's NOTIFY inside that transaction, for comparison.
 */
const produce = (database: Handle, write: Write = 'statement') =>
  fanOut((i) => {
    const job = (db: Handle['db']) =>
      enqueue(db, 'email', payload(i), { idempotencyKey: `tp-${i}` });
    if (write === 'statement') return job(database.db);
    return database.db.transaction(async (tx) => {
      await job(tx);
      if (write !== 'transaction') await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
    });
  });

/** CPU per job of the PostgreSQL backends serving this database (all of it since they started). */
async function postgresCpu(database: Handle): Promise<number> {
  const backends = await selectRows<{ pid: number }>(
    database.db,
    sql`select pid from pg_stat_activity where datname = current_database()`,
  );
  return backends.reduce((sum, { pid }) => sum + cpuMs(pid), 0) / JOBS;
}

/** Outbox writes alone on a fresh database, written as `write` says. */
async function writesAlone(write: Write): Promise<number> {
  const test = await createTestDatabase();
  const database = await createDatabase({ url: test.url, poolMax: 20 });
  const started = performance.now();
  await produce(database, write);
  const rate = JOBS / ((performance.now() - started) / 1000);
  await database.close();
  await test.drop();
  return rate;
}

/**
 * The PostgreSQL work every job needs, with nothing else: its outbox write, then its
 * deliveries claim and `done` write (`once` around a no-op), PRODUCERS jobs in flight; no relay,
 * no BullMQ. End to end does all of this and the BullMQ work on the same cores, so it cannot go
 * faster: this rate is a ceiling on the ratio this design can reach on this machine.
 */
async function postgresWorkAlone() {
  const test = await createTestDatabase();
  const database = await createDatabase({ url: test.url, poolMax: 20 });
  const started = performance.now();
  await fanOut(async (i) => {
    const key = `pg-${i}`;
    await enqueue(database.db, 'email', payload(i), { idempotencyKey: key });
    await once(database.db, { kind: 'email', key, leaseMs: 60_000 }, async () => {});
  });
  const rate = JOBS / ((performance.now() - started) / 1000);
  await database.close();
  await test.drop();
  return rate;
}

/**
 * The job path on a fresh database. `overlap`: producers and the worker run together (end to
 * end); otherwise the outbox is filled first (timed alone), then drained by the worker (timed).
 */
async function pipeline(overlap: boolean, write: Write = 'statement', concurrency = CONCURRENCY) {
  const test = await createTestDatabase();
  // Separate pools, as the API and worker processes have: producers must not starve the worker.
  const database = await createDatabase({ url: test.url, poolMax: 20 });
  const workerDatabase = await createDatabase({ url: test.url, poolMax: 10 });
  const config = loadConfig({
    DATABASE_URL: test.url,
    REDIS_URL: SHARED_REDIS_URL,
    QUEUE_PREFIX: prefix(),
    WORKER_CONCURRENCY: String(concurrency),
  });
  const mail = noopTransport();
  const rate = (since: number) => JOBS / ((performance.now() - since) / 1000);
  let writeRate = 0;
  if (!overlap) {
    const started = performance.now();
    await produce(database, write);
    writeRate = rate(started);
  }
  const cpu = cpuMeter();
  const started = performance.now();
  const worker = await startWorker({ config, database: workerDatabase, log, mail });
  if (overlap) await produce(database, write);
  await until('jobs processed', () => mail.sent >= JOBS, 120_000);
  const processRate = rate(started);
  // The backends were opened for this run: theirs is the run's PostgreSQL CPU when `overlap`.
  const used = { ...cpu(), postgres: await postgresCpu(database) };
  await worker.close();
  await workerDatabase.close();
  await database.close();
  await test.drop();
  return { writeRate, processRate, cpu: used };
}

const bareRun = await bare();
const bareRate = bareRun.rate;
const e2e = await pipeline(true);
const e2eRate = e2e.processRate;
const e2eInTransactions = await pipeline(true, 'transaction');
const split = await pipeline(false);
const inTransactionsRate = await writesAlone('transaction');
const notifyInsideRate = await writesAlone('transaction with NOTIFY inside');
const postgresAloneRate = await postgresWorkAlone();
const bareHigh = await bare(HIGH_CONCURRENCY);
const e2eHigh = await pipeline(true, 'statement', HIGH_CONCURRENCY);
console.log({
  bareRate,
  e2eRate,
  ratio: e2eRate / bareRate,
  e2eInTransactions,
  split,
  inTransactionsRate,
  notifyInsideRate,
  postgresAloneRate,
  bare: bareRun.cpu,
  e2e: e2e.cpu,
  bareHigh,
  e2eHigh,
});
const vs = (rate: number) => `${(rate / bareRate).toFixed(2)}×`;
const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : n.toFixed(2));
const cpuCells = ({ node, postgres, redis }: { node: number; postgres: number; redis: number }) =>
  `${ms(node)} | ${postgres ? ms(postgres) : '—'} | ${ms(redis)} | ${ms(node + postgres + redis)}`;

const highVs = (rate: number) => `${(rate / bareHigh.rate).toFixed(2)}×`;

writeSection(
  'jobs-throughput',
  `## Job throughput, end to end vs bare BullMQ (issue #6)

\`pnpm --filter @atrium/bench jobs-throughput\` — ${JOBS} email jobs, ${PRODUCERS} concurrent
producers, worker concurrency ${CONCURRENCY} (the default), PostgreSQL + Redis on loopback, all in
one Node process. End to end: each producer writes its job with one outbox INSERT (what the outbox
adds to a request that has a transaction for its business change anyway; the relay is woken by a
NOTIFY sent after the commit) → relay (batches of up to 100, \`addBulk\`) → BullMQ → the real
email processor (template render, deliveries claim and \`done\` write, batched across concurrent
jobs; no-op transport). Bare: \`queue.add\` of the same payloads (${PRODUCERS} in flight) → no-op
BullMQ worker. Goal ≥ 0.5. ${machine()}.

| path | jobs/s | vs bare BullMQ |
| ---- | ------ | -------------- |
| bare BullMQ add + no-op process | ${Math.round(bareRate)} | 1.00× |
| **end to end**: outbox write → relay → BullMQ → processor | ${Math.round(e2eRate)} | **${vs(e2eRate)}** |
| end to end, each job written in a transaction of its own (BEGIN, INSERT, COMMIT) | ${Math.round(e2eInTransactions.processRate)} | ${vs(e2eInTransactions.processRate)} |
| its first half alone: outbox writes | ${Math.round(split.writeRate)} | ${vs(split.writeRate)} |
| the same writes, each in a transaction of its own | ${Math.round(inTransactionsRate)} | ${vs(inTransactionsRate)} |
| the same, with a NOTIFY inside each transaction (the first design) | ${Math.round(notifyInsideRate)} | ${vs(notifyInsideRate)} |
| its second half alone: relay → BullMQ → processor, outbox pre-filled | ${Math.round(split.processRate)} | ${vs(split.processRate)} |
| the PostgreSQL work alone: outbox write, deliveries claim and \`done\` (no relay, no BullMQ) | ${Math.round(postgresAloneRate)} | ${vs(postgresAloneRate)} |

With worker concurrency ${HIGH_CONCURRENCY}, both sides:

| path | jobs/s | vs bare BullMQ |
| ---- | ------ | -------------- |
| bare BullMQ add + no-op process | ${Math.round(bareHigh.rate)} | 1.00× |
| **end to end** | ${Math.round(e2eHigh.processRate)} | **${highVs(e2eHigh.processRate)}** |

CPU per job in the same run, in milliseconds: this Node process, the PostgreSQL backends that
served the run, and the Redis server (shared with anything else using it). Two cores give at most
2 ms of CPU per ms of wall time.

| path | Node | PostgreSQL | Redis | total | wall time per job |
| ---- | ---- | ---------- | ----- | ----- | ----------------- |
| bare BullMQ | ${cpuCells(bareRun.cpu)} | ${ms(1000 / bareRate)} |
| end to end | ${cpuCells(e2e.cpu)} | ${ms(1000 / e2eRate)} |
| bare BullMQ, concurrency ${HIGH_CONCURRENCY} | ${cpuCells(bareHigh.cpu)} | ${ms(1000 / bareHigh.rate)} |
| end to end, concurrency ${HIGH_CONCURRENCY} | ${cpuCells(e2eHigh.cpu)} | ${ms(1000 / e2eHigh.processRate)} |`,
);
process.exit(0);
