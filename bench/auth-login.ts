// Login throughput as a ratio of raw argon2id verify throughput, same parameters, same run: the
// endpoint should add almost nothing to the hash. Run: pnpm --filter @atrium/bench auth-login

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ARGON2_OPTIONS, hashPassword } from '@atrium/auth';
import { createTestDatabase } from '@atrium/db/testing';
import postgres from 'postgres';
import { median, stop } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';
import { API_MAIN, type Load, load, startServer, THREADPOOL, TSX } from './lib/server.js';

const run = promisify(execFile);
const DURATION = Number(process.env.DURATION ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 8);
const PASSWORD = 'plum-orbit-cactus-lantern-93';

const VERIFY = new URL('./lib/argon2-verify.ts', import.meta.url).pathname;

/** Verifies per second with `concurrency` in flight for `seconds`, in a process started as the API is. */
async function rawVerify(stored: string, concurrency: number, seconds: number) {
  const { stdout } = await run(process.execPath, [
    ...['--require', THREADPOOL, '--import', TSX, VERIFY],
    ...[stored, PASSWORD, String(concurrency), String(seconds)],
  ]);
  return Number(stdout.trim());
}

const MINIMAL = new URL('./lib/minimal-login-server.ts', import.meta.url).pathname;

const database = await createTestDatabase();
const { url, child } = await startServer(API_MAIN, {
  DATABASE_URL: database.url,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '0',
  AUTH_RATE_LIMITS: 'off',
});
const minimal = await startServer(MINIMAL, { DATABASE_URL: database.url });
try {
  const stored = await hashPassword(PASSWORD);
  const sql = postgres(database.url, { max: 1 });
  await sql`insert into users (id, email, password_hash) values (gen_random_uuid(), 'bench@example.com', ${stored})`;
  await sql.end();

  const logIn = async (endpoint: string) => {
    const run = await load({
      url: endpoint,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bench@example.com', password: PASSWORD }),
      connections: CONNECTIONS,
      duration: DURATION,
    });
    if (run.non2xx || run.errors) throw new Error(`login failed: ${JSON.stringify(run)}`);
    return run;
  };

  // Alternating short rounds, so drift in the machine's load (other processes) hits all alike.
  await rawVerify(stored, CONNECTIONS, 2); // warm-up
  const raws: number[] = [];
  const logins: Load[] = [];
  const minimals: Load[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    raws.push(await rawVerify(stored, CONNECTIONS, DURATION));
    logins.push(await logIn(`${url}/api/v1/auth/login`));
    minimals.push(await logIn(`${minimal.url}/login`));
  }
  const raw = median(raws);
  const summary = (runs: Load[]) => ({
    rps: median(runs.map((l) => l.rps)),
    p99: median(runs.map((l) => l.p99)),
    // Each round pairs adjacent measurements; the median of those ratios resists load swings.
    ratio: median(raws.map((r, i) => runs[i]!.rps / r)),
  });
  const login = summary(logins);
  const least = summary(minimals);
  const ratio = login.ratio;
  console.log({ raw, login, least });
  writeSection(
    'auth-login',
    `## Login throughput vs raw argon2id (issue #3)

\`pnpm --filter @atrium/bench auth-login\` — \`POST /api/v1/auth/login\` (PostgreSQL, a session and a
refresh token written per login) with ${CONNECTIONS} connections, against
\`@node-rs/argon2\` verify with the same parameters (m=${ARGON2_OPTIONS.memoryCost} KiB, t=${ARGON2_OPTIONS.timeCost}, p=${ARGON2_OPTIONS.parallelism}) and ${CONNECTIONS} in flight
in a process started as the API is (the thread-pool preload: one thread per core), in the same run:
${ROUNDS} alternating rounds of ${DURATION} s, medians. Goal: ratio ≥ 0.85. ${machine()}.

| what | per second | p99 |
|---|---|---|
| raw argon2id verify | ${raw.toFixed(0)} | |
| login endpoint | ${login.rps.toFixed(0)} | ${login.p99} ms |
| **ratio** | **${ratio.toFixed(2)}** | |
| least possible login (bare Fastify: select, verify, insert) | ${least.rps.toFixed(0)} | ${least.p99} ms |
| its ratio | ${least.ratio.toFixed(2)} | |

Per round (raw / login / least possible, per second): ${raws.map((r, i) => `${r.toFixed(0)} / ${logins[i]!.rps.toFixed(0)} / ${minimals[i]!.rps.toFixed(0)}`).join(', ')}.
The least possible login (bench/lib/minimal-login-server.ts) does only what any password login
must: one lookup, the hash, one session row, over HTTP; its ratio is the room the goal leaves on
this machine.
Single rounds swing with the machine's load; the ratio is the median of the per-round ratios. The
load generator (autocannon) runs on the same two cores as the API, PostgreSQL and the hashes.`,
  );
} finally {
  await stop(minimal.child);
  await stop(child);
  await database.drop();
}
