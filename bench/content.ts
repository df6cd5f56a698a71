// GET /api/v1/services served from the content cache, as a ratio of a bare Fastify route
// returning the same JSON (goal ≥ 0.7), and the If-None-Match → 304 path (goal ≥ 0.8), same run.
// Run: pnpm --filter @atrium/bench content   (DURATION=seconds per run, default 10)
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_REDIS_URL } from '@atrium/config/testing';
import { createTestDatabase } from '@atrium/db/testing';
import { renderMarkdown } from '@atrium/integrations/cms';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { stop } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';
import { API_MAIN, load, startServer } from './lib/server.js';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = 64;
const SERVICES = 12;
const BASELINE = new URL('./content-baseline-server.mjs', import.meta.url).pathname;
const PREFIX = `bench-content-${randomBytes(4).toString('hex')}`;

const database = await createTestDatabase();
// PostgreSQL + Redis, as deployed: the shared cache, its generation learned by pub/sub.
const api = await startServer(API_MAIN, {
  DATABASE_URL: database.url,
  REDIS_URL: TEST_REDIS_URL,
  QUEUE_PREFIX: PREFIX,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '0',
});
let baseline: Awaited<ReturnType<typeof startServer>> | undefined;
try {
  const sql = postgres(database.url, { max: 1 });
  const body = `## What we do\n\nData pipelines, **dashboards** and [more](https://example.com).`;
  for (let i = 0; i < SERVICES; i++) {
    await sql`insert into services (id, slug, title, summary, body, body_html, published, published_at, position)
      values (gen_random_uuid(), ${`service-${i}`}, ${`Service ${i}`}, 'A short summary of the service.',
        ${body}, ${renderMarkdown(body)}, true, now(), ${i})`;
  }
  await sql.end();
  const first = await fetch(`${api.url}/api/v1/services`);
  const json = await first.text();
  const etag = first.headers.get('etag')!;
  const notModified = await fetch(`${api.url}/api/v1/services`, {
    headers: { 'if-none-match': etag },
  });
  if (first.status !== 200 || notModified.status !== 304) {
    throw new Error(
      `setup: GET /services ${first.status}, with If-None-Match ${notModified.status}`,
    );
  }
  const bodyFile = join(tmpdir(), `${PREFIX}.json`);
  writeFileSync(bodyFile, json);
  baseline = await startServer(BASELINE, { BODY_FILE: bodyFile });

  const run = (url: string, headers: Record<string, string> = {}) =>
    load({ url, headers, connections: CONNECTIONS, duration: DURATION });
  const bare = await run(`${baseline.url}/services`);
  const cached = await run(`${api.url}/api/v1/services`);
  const revalidated = await run(`${api.url}/api/v1/services`, { 'if-none-match': etag });
  if (bare.non2xx || bare.errors || cached.non2xx || cached.errors || revalidated.errors) {
    throw new Error(`a run failed: ${JSON.stringify({ bare, cached, revalidated })}`);
  }
  // autocannon counts a 304 as non-2xx: every answer of the revalidation run must be one.
  const check = await autocannon({
    url: `${api.url}/api/v1/services`,
    headers: { 'if-none-match': etag },
    amount: 100,
  });
  if (check.statusCodeStats?.['304']?.count !== 100)
    throw new Error('the 304 run was not all 304s');
  const ratio = cached.rps / bare.rps;
  const ratio304 = revalidated.rps / bare.rps;
  console.log({ bare, cached, revalidated, ratio, ratio304 });
  writeSection(
    'content',
    `## \`GET /api/v1/services\` from the content cache vs a bare route (issue #15)

\`pnpm --filter @atrium/bench content\` — ${CONNECTIONS} connections, ${DURATION} s each, PostgreSQL
and Redis, RATE_LIMIT_MAX=0, ${SERVICES} published services (${json.length} bytes), same run. The API
answers from its in-process copy of the cached response while its Redis subscription says the
generation is current. Goals: ratio ≥ 0.7, 304 ratio ≥ 0.8. ${machine()}.

| server | req/s | p99 |
|---|---|---|
| bare Fastify returning the same JSON | ${bare.rps.toFixed(0)} | ${bare.p99} ms |
| Atrium \`GET /api/v1/services\` (cached, ETag) | ${cached.rps.toFixed(0)} | ${cached.p99} ms |
| **ratio** | **${ratio.toFixed(2)}** | |
| Atrium, \`If-None-Match\` → 304 | ${revalidated.rps.toFixed(0)} | ${revalidated.p99} ms |
| **304 ratio** | **${ratio304.toFixed(2)}** | |`,
  );
} finally {
  if (baseline) await stop(baseline.child);
  await stop(api.child);
  await database.drop();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}
