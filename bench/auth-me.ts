// Authenticated GET /api/v1/auth/me throughput as a ratio of a bare Fastify route doing one
// postgres.js primary-key select, same run, and its p99 at 64 connections.
// Run: pnpm --filter @atrium/bench auth-me
import { hashPassword } from '@atrium/auth';
import { createTestDatabase } from '@atrium/db/testing';
import postgres from 'postgres';
import { stop } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';
import { API_MAIN, load, startServer } from './lib/server.js';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = 64;
const PASSWORD = 'plum-orbit-cactus-lantern-93';
const BASELINE = new URL('./me-baseline-server.mjs', import.meta.url).pathname;

const database = await createTestDatabase();
const apiEnv = {
  DATABASE_URL: database.url,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '0',
  AUTH_RATE_LIMITS: 'off',
};
const api = await startServer(API_MAIN, apiEnv);
// The same API with the session cache off: the prepared live-session query on every request.
const uncached = await startServer(API_MAIN, { ...apiEnv, AUTH_SESSION_CACHE_MS: '0' });
let baseline: Awaited<ReturnType<typeof startServer>> | undefined;
try {
  const sql = postgres(database.url, { max: 1 });
  const [user] = await sql<{ id: string }[]>`insert into users (id, email, password_hash)
    values (gen_random_uuid(), 'bench@example.com', ${await hashPassword(PASSWORD)}) returning id`;
  await sql.end();
  const signIn = await fetch(`${api.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'bench@example.com', password: PASSWORD }),
  });
  const { accessToken } = (await signIn.json()) as { accessToken: string };
  baseline = await startServer(BASELINE, { DATABASE_URL: database.url, USER_ID: user!.id });

  const bare = await load({
    url: `${baseline.url}/me`,
    connections: CONNECTIONS,
    duration: DURATION,
  });
  const me = await load({
    url: `${api.url}/api/v1/auth/me`,
    headers: { authorization: `Bearer ${accessToken}` },
    connections: CONNECTIONS,
    duration: DURATION,
  });
  const noCache = await load({
    url: `${uncached.url}/api/v1/auth/me`,
    headers: { authorization: `Bearer ${accessToken}` },
    connections: CONNECTIONS,
    duration: DURATION,
  });
  for (const run of [me, noCache]) {
    if (run.non2xx || run.errors) throw new Error(`/auth/me failed: ${JSON.stringify(run)}`);
  }
  const ratio = me.rps / bare.rps;
  console.log({ bare, me, noCache, ratio });
  writeSection(
    'auth-me',
    `## Authenticated \`GET /api/v1/auth/me\` vs a bare primary-key select (issue #3)

\`pnpm --filter @atrium/bench auth-me\` — ${CONNECTIONS} connections, ${DURATION} s each, PostgreSQL,
RATE_LIMIT_MAX=0, same run. The API verifies the HS256 token and checks the session is live (a
per-session cache, cleared on any revoke through NOTIFY; on a miss one prepared query).
Goal: ratio ≥ 0.6. ${machine()}.

| server | req/s | p99 |
|---|---|---|
| bare Fastify + postgres.js select by id | ${bare.rps.toFixed(0)} | ${bare.p99} ms |
| Atrium \`GET /api/v1/auth/me\` (default, session cache 10 s) | ${me.rps.toFixed(0)} | ${me.p99} ms |
| **ratio** | **${ratio.toFixed(2)}** | |
| Atrium \`GET /api/v1/auth/me\`, AUTH_SESSION_CACHE_MS=0 (one prepared query per request) | ${noCache.rps.toFixed(0)} | ${noCache.p99} ms |
| ratio without the cache | ${(noCache.rps / bare.rps).toFixed(2)} | |`,
  );
} finally {
  if (baseline) await stop(baseline.child);
  await stop(api.child);
  await stop(uncached.child);
  await database.drop();
}
