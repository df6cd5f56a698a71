// Cold start and idle memory of `pnpm start` (API + worker in one process): process start to the
// first 200 from /health, and RSS after it has idled, on embedded PGlite (first boot and restart)
// and on PostgreSQL + Redis. The ceiling is a bare Fastify process measured in the same run.
// Run: pnpm --filter @atrium/bench cold-start
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@atrium/db/testing';
import { freePort, median, rssMiB, stop, timeToFirstOk } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';

const RUNS = Number(process.env.RUNS ?? 5);
// Exactly what `pnpm start` runs after building (run `pnpm build` first): `node [flags] <bundle>`,
// read from the root package.json so the figures cannot drift from the command.
const root = new URL('../', import.meta.url).pathname;
const startScript: string = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts.start;
const [, ...startArgs] = startScript.split('&&').at(-1)!.trim().split(/\s+/);
const MAIN_ARGS = startArgs.map((arg) =>
  /\.[cm]js$/.test(arg) ? root + arg.replace(/^\.\//, '') : arg,
);
const BASELINE = new URL('./baseline-server.mjs', import.meta.url).pathname;
const baseEnv = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  LOG_LEVEL: 'warn',
};

async function measure(args: string[], env: Record<string, string>, cwd?: string) {
  const port = await freePort();
  const { ms, child } = await timeToFirstOk(
    process.execPath,
    args,
    `http://127.0.0.1:${port}/health`,
    {
      env: { ...baseEnv, ...env, PORT: String(port) },
      cwd,
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const rss = rssMiB(child.pid!);
  await stop(child);
  return { ms, rss };
}

async function series(label: string, run: () => Promise<{ ms: number; rss: number }>) {
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await run());
  const row = {
    label,
    ms: median(results.map((r) => r.ms)),
    rss: median(results.map((r) => r.rss)),
  };
  console.log(row);
  return row;
}

const baseline = await series('bare Fastify (ceiling)', () => measure([BASELINE], {}));

const firstBoot = await series('embedded, first boot (new DATA_DIR)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-bench-'));
  try {
    return await measure(MAIN_ARGS, { DATA_DIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const restartDir = mkdtempSync(join(tmpdir(), 'atrium-bench-'));
await measure(MAIN_ARGS, { DATA_DIR: restartDir });
const restart = await series('embedded, restart (existing DATA_DIR)', () =>
  measure(MAIN_ARGS, { DATA_DIR: restartDir }),
);
rmSync(restartDir, { recursive: true, force: true });

const database = await createTestDatabase();
const server = await series('PostgreSQL + Redis', () =>
  measure(MAIN_ARGS, {
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  }),
);
await database.drop();

const line = (r: { label: string; ms: number; rss: number }) =>
  `| ${r.label} | ${Math.round(r.ms)} ms | ${(r.ms / baseline.ms).toFixed(1)}× | ${r.rss.toFixed(0)} MiB |`;
writeSection(
  'cold-start',
  `## Cold start and idle memory (issue #2)

\`pnpm --filter @atrium/bench cold-start\` — what \`pnpm start\` runs after its build
(\`node ${startArgs.join(' ')}\`, API + worker in one process): process start to first
\`/health\` 200, median of ${RUNS}; RSS after 3 s idle. Goal: < 1.5 s and < 150 MiB. ${machine()}.

| process | start → 200 | vs bare Fastify | idle RSS |
|---|---|---|---|
${[baseline, firstBoot, restart, server].map(line).join('\n')}

What the memory is: a bare Node process is ~40 MiB; Atrium's code, V8's heap and the
connections add ~100 MiB on PostgreSQL. Embedded, PGlite (PostgreSQL compiled to WebAssembly)
adds ~45 MiB more and misses the goal: its WebAssembly memory and code, already cut by compiling
it with V8's baseline tier only, lazily (~50 MiB less than V8's default tiering). Start-up on
PostgreSQL is mostly loading the bundle and compiling the route schemas; a new embedded DATA_DIR
is copied from a migrated snapshot made at build time instead of running initdb and the migrations
(5 s and ~290 MiB before). \`--enable-source-maps\` is not in the start commands: Node parses every
map at start-up (+50 MiB).`,
);
