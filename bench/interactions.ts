// Interactions at scale (issue #5): 1,000,000 interactions in one org and 100,000 in each of nine
// others. Measures read-by-id throughput against a bare Fastify + postgres.js select (same run),
// search latency, keyset depth independence and the streamed CSV export.
// Run: pnpm --filter @atrium/bench interactions   (ROWS=1000000 OTHER_ROWS=100000 DURATION=5 ROUNDS=3)

import type { ChildProcess } from 'node:child_process';
import { hashPassword } from '@atrium/auth';
import { createDatabase, seedInteractions } from '@atrium/db';
import { createTestDatabase } from '@atrium/db/testing';
import postgres from 'postgres';
import { median, rssMiB, stop } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';
import { API_MAIN, type Load, load, startServer } from './lib/server.js';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const OTHER_ROWS = Number(process.env.OTHER_ROWS ?? 100_000);
const DURATION = Number(process.env.DURATION ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PASSWORD = 'plum-orbit-cactus-lantern-93';
const BASELINE = new URL('./by-id-baseline-server.mjs', import.meta.url).pathname;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

const test = await createTestDatabase();
const sql = postgres(test.url, { max: 2, onnotice: () => {} });
const database = await createDatabase({ url: test.url, poolMax: 4 });

async function seed() {
  const [user] = await sql<{ id: string }[]>`insert into users (id, email, password_hash)
    values (gen_random_uuid(), 'bench@example.com', ${await hashPassword(PASSWORD)}) returning id`;
  const orgs = await sql<{ id: string }[]>`insert into organizations (id, name, slug)
    select gen_random_uuid(), 'Org ' || n, 'org-' || n from generate_series(1, 10) n returning id`;
  await sql`insert into memberships (org_id, user_id, role) select id, ${user!.id}, 'owner' from organizations`;
  // Indexes are dropped for the bulk load and rebuilt from their own definitions afterwards.
  const indexes = await sql<{ indexname: string; indexdef: string }[]>`select indexname, indexdef
    from pg_indexes where tablename = 'interactions' and indexname <> 'interactions_pkey'`;
  for (const index of indexes) await sql.unsafe(`drop index ${index.indexname}`);
  const started = performance.now();
  await seedInteractions(database.db, { orgId: orgs[0]!.id, createdBy: user!.id, count: ROWS });
  for (const org of orgs.slice(1))
    await seedInteractions(database.db, { orgId: org.id, createdBy: user!.id, count: OTHER_ROWS });
  // A rare word, for the selective, prefix and typo searches.
  await sql`update interactions set title = 'Zeppelin hangar visit' where id in
    (select id from interactions where org_id = ${orgs[0]!.id} order by id limit 40)`;
  const seeded = performance.now();
  await sql`set maintenance_work_mem = '512MB'`;
  for (const index of indexes) await sql.unsafe(index.indexdef);
  await sql`analyze interactions`;
  console.log(
    `seeded ${ROWS + 9 * OTHER_ROWS} rows in ${((seeded - started) / 1000).toFixed(0)} s, indexed in ${((performance.now() - seeded) / 1000).toFixed(0)} s`,
  );
  return { orgId: orgs[0]!.id };
}

const { orgId } = await seed();
const api = await startServer(API_MAIN, {
  DATABASE_URL: test.url,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '0',
  AUTH_RATE_LIMITS: 'off',
});
// The same API with the session and membership caches off: every request asks the database.
const uncached = await startServer(API_MAIN, {
  DATABASE_URL: test.url,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '0',
  AUTH_RATE_LIMITS: 'off',
  AUTH_SESSION_CACHE_MS: '0',
});
const baseline = await startServer(BASELINE, { DATABASE_URL: test.url });
try {
  const login = await fetch(`${api.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'bench@example.com', password: PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  const base = `${api.url}/api/v1/orgs/${orgId}/interactions`;
  const get = async (url: string) => {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.json();
    if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, body };
  };

  // 1. Read by id, against the bare select.
  const [row] = await sql<{ id: string }[]>`select id from interactions
    where org_id = ${orgId} order by id desc offset 5000 limit 1`;
  const id = row!.id;
  // Alternating rounds, medians of the per-round ratios: this machine's speed swings by a third
  // from one minute to the next, and a ratio is only fair between loads of the same minute.
  const read = async (url: string, what: string, server: ChildProcess) => {
    const result = await load({ url, headers, connections: 64, duration: DURATION }, server);
    if (result.non2xx || result.errors)
      throw new Error(`${what} failed: ${JSON.stringify(result)}`);
    return result;
  };
  const rounds: { bare: Load; cached: Load; uncached: Load }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push({
      bare: await read(`${baseline.url}/interactions/${id}`, 'bare select', baseline.child),
      cached: await read(`${base}/${id}`, 'read by id', api.child),
      uncached: await read(
        `${uncached.url}/api/v1/orgs/${orgId}/interactions/${id}`,
        'read by id, caches off',
        uncached.child,
      ),
    });
  }
  type Round = (typeof rounds)[number];
  const mid = (pick: (r: Round) => number) => median(rounds.map(pick));
  const each = (pick: (r: Round) => number, digits = 0) =>
    rounds.map((r) => pick(r).toFixed(digits)).join(' / ');
  const cpu = (load: Load) => load.cpuPerRequest ?? Number.NaN;
  const loadRow = (what: string, pick: (r: Round) => Load) =>
    `| ${what} | ${mid((r) => pick(r).rps).toFixed(0)} | ${mid((r) => pick(r).p99)} ms | ${mid((r) => cpu(pick(r))).toFixed(0)} µs | ${each((r) => pick(r).rps)} |`;
  const ratioRow = (what: string, pick: (r: Round) => Load) =>
    `| **${what}** (median of the rounds' ratios; CPU: bare ÷ this) | **${mid((r) => pick(r).rps / r.bare.rps).toFixed(2)}** | | ${mid((r) => cpu(r.bare) / cpu(pick(r))).toFixed(2)} | ${each((r) => pick(r).rps / r.bare.rps, 2)} |`;

  // 2. Search latency, sequential requests, limit 20.
  const searches: [string, string, number][] = [
    ['selective word', 'zeppelin', 50],
    ['prefix', 'zepp', 50],
    ['one-letter typo', 'zepelin', 50],
    ['common word', 'budget', 150],
  ];
  const searchRows = [];
  for (const [label, q, goal] of searches) {
    const times = [];
    let hits = 0;
    for (let i = 0; i < 30; i++) {
      const { ms, body } = await get(`${base}?q=${q}&limit=20`);
      times.push(ms);
      hits = (body as { items: unknown[] }).items.length;
    }
    searchRows.push(
      `| ${label} (\`${q}\`) | ${percentile(times, 0.5).toFixed(1)} ms | ${percentile(times, 0.95).toFixed(1)} ms | ≤ ${goal} ms | ${hits} |`,
    );
  }

  // 3. Keyset depth: page 1000 of a walk vs page 1.
  let cursor: string | null = null;
  for (let page = 1; page < 1000; page++) {
    cursor = (
      (await get(`${base}?limit=20${cursor ? `&cursor=${cursor}` : ''}`)).body as {
        nextCursor: string;
      }
    ).nextCursor;
  }
  const first = [];
  const deep = [];
  for (let i = 0; i < 50; i++) {
    first.push((await get(`${base}?limit=20`)).ms);
    deep.push((await get(`${base}?limit=20&cursor=${cursor}`)).ms);
  }
  const depthRatio = median(deep) / median(first);

  // 4. Export of the org's rows: rows/s and the server's RSS growth while streaming.
  const rssBefore = rssMiB(api.child.pid!);
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(api.child.pid!));
  }, 100);
  const exportStarted = performance.now();
  const response = await fetch(`${base}/export`, { headers });
  let lines = 0;
  for await (const chunk of response.body!)
    for (const byte of chunk as Uint8Array) if (byte === 10) lines++;
  const exportSeconds = (performance.now() - exportStarted) / 1000;
  clearInterval(sampler);

  writeSection(
    'interactions',
    `## Interactions at scale (issue #5)

\`pnpm --filter @atrium/bench interactions\` — ${ROWS.toLocaleString('en')} interactions in one org and
${OTHER_ROWS.toLocaleString('en')} in each of nine others (PostgreSQL, generated with generate_series),
RATE_LIMIT_MAX=0. ${machine()}.

**Read by id** (64 connections, ${ROUNDS} alternating rounds of ${DURATION} s, authenticated, through the
tenancy guard; each figure the median of the rounds, listed after it in order). Server CPU per
request is the server process's user + system time over the load's answered requests: its ratio
does not depend on how fast PostgreSQL and the load generator ran on the same two cores:

| server | req/s | p99 | server CPU per request | req/s per round |
|---|---|---|---|---|
${loadRow('bare Fastify + postgres.js select by primary key', (r) => r.bare)}
${loadRow('Atrium `GET /orgs/{orgId}/interactions/{id}`', (r) => r.cached)}
${ratioRow('ratio, goal ≥ 0.6', (r) => r.cached)}
${loadRow('Atrium, caches off (`AUTH_SESSION_CACHE_MS=0`: session, membership and row in one statement)', (r) => r.uncached)}
${ratioRow('ratio, caches off, goal ≥ 0.45', (r) => r.uncached)}

**Search** (30 sequential requests each, limit 20, relevance order):

| query | p50 | p95 | goal (p95) | hits on page 1 |
|---|---|---|---|---|
${searchRows.join('\n')}

**Keyset depth**: page 1000 of a \`-createdAt\` walk ${median(deep).toFixed(1)} ms vs page 1 ${median(first).toFixed(1)} ms (median of 50): ratio **${depthRatio.toFixed(2)}** (goal ≤ 1.5).

**Export**: ${lines - 1} rows in ${exportSeconds.toFixed(1)} s = **${Math.round((lines - 1) / exportSeconds).toLocaleString('en')} rows/s**; server RSS ${rssBefore.toFixed(0)} → peak ${peak.toFixed(0)} MiB (growth **${(peak - rssBefore).toFixed(0)} MiB**, goal < 100 MB).`,
  );
} finally {
  await stop(api.child);
  await stop(uncached.child);
  await stop(baseline.child);
  await sql.end();
  await database.close();
  await test.drop();
}
