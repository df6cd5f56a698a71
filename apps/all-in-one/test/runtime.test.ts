import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inheritedEnv, TEST_REDIS_URL } from '@atrium/config/testing';
import { createTestDatabase } from '@atrium/db/testing';
import { testPrefix } from '@atrium/jobs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './stack.js';

// The Dockerfile's runtime stage is the folder runtime.mjs assembles (its build stage runs the
// script, the runtime stage copies the result to /app). Here the same folder, outside the
// repository so nothing resolves from the workspace's node_modules, started with the image's
// commands from its root as the image's WORKDIR. Needs `pnpm build` first, as the image does.
const SCRIPT = new URL('../runtime.mjs', import.meta.url).pathname;
const THREADPOOL = './apps/all-in-one/threadpool.cjs';

let root: string;

beforeAll(() => {
  root = join(mkdtempSync(join(tmpdir(), 'atrium-runtime-')), 'app');
  execFileSync(process.execPath, [SCRIPT, root], { stdio: ['ignore', 'ignore', 'inherit'] });
}, 600_000);

afterAll(() => {
  if (root) rmSync(join(root, '..'), { recursive: true, force: true });
});

/** One of the image's commands, with only the given environment (as the image's ENV sets). */
function run(entry: 'api' | 'worker' | 'atrium', env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--require', THREADPOOL, `apps/all-in-one/dist/${entry}.mjs`],
    { cwd: root, env: { ...inheritedEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitFor(url: string, child: ChildProcess) {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null)
      throw new Error(`exited (${child.exitCode}) before ${url} answered`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer in 120 s`);
}

const PRODUCTION = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  JWT_SECRET: 'runtime-test-secret-of-at-least-32-bytes',
  CORS_ORIGINS: 'http://localhost:5173',
  PUBLIC_APP_URL: 'http://localhost:5173',
  MAIL_TRANSPORT: 'none',
  STORAGE_DRIVER: 'local',
  PUBLIC_API_URL: 'http://localhost:3000',
  LOG_LEVEL: 'warn',
};

describe('the runtime layout (the image without Docker)', () => {
  it('holds the bundles, the snapshot, the migrations and only the external dependencies', () => {
    const app = join(root, 'apps/all-in-one');
    expect(readdirSync(root)).toEqual(['apps']);
    expect(readdirSync(app).sort()).toEqual(
      ['dist', 'node_modules', 'package.json', 'snapshots', 'threadpool.cjs'].sort(),
    );
    expect(existsSync(join(app, 'dist/snapshot.mjs'))).toBe(false);
    expect(readdirSync(join(app, 'snapshots'))[0]).toMatch(/^pglite-[0-9a-f]+$/);
    // Top level of node_modules: this package's dependencies (what build.mjs leaves external),
    // and @atrium/db and @atrium/config reduced to what the bundle reads of them.
    const { dependencies } = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const top = readdirSync(join(app, 'node_modules'))
      .filter((name) => !name.startsWith('.'))
      .flatMap((name) =>
        name.startsWith('@')
          ? readdirSync(join(app, 'node_modules', name)).map((sub) => `${name}/${sub}`)
          : [name],
      );
    expect(top.sort()).toEqual(
      [...Object.keys(dependencies), '@atrium/config', '@atrium/db'].sort(),
    );
    expect(readdirSync(join(app, 'node_modules/@atrium/db')).sort()).toEqual([
      'drizzle',
      'package.json',
    ]);
    expect(readdirSync(join(app, 'node_modules/@atrium/config'))).toEqual(['package.json']);
    // The bundled packages are not installed: Fastify is in dist/, not in node_modules.
    expect(readdirSync(join(app, 'node_modules/.pnpm')).some((n) => n.startsWith('fastify@'))).toBe(
      false,
    );
  });

  it('runs the API on PostgreSQL and Redis in production mode', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const proc = run('api', {
      ...PRODUCTION,
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: testPrefix(),
      DATA_DIR: join(root, '..', 'data-api'),
    });
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/health`, proc.child);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        environment: 'production',
        database: 'up',
        redis: 'up',
      });
      expect((await waitFor(`http://127.0.0.1:${port}/health/live`, proc.child)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/docs/json`)).status).toBe(200);
    } finally {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      await database.drop();
    }
  });

  it("runs the worker with its own /health and /metrics on WORKER_METRICS_PORT (its container's healthcheck)", async () => {
    const database = await createTestDatabase();
    const metricsPort = await freePort();
    const proc = run('worker', {
      ...PRODUCTION,
      WORKER_METRICS_PORT: String(metricsPort),
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: testPrefix(),
      DATA_DIR: join(root, '..', 'data-worker'),
      LOG_LEVEL: 'info',
    });
    try {
      const health = await waitFor(`http://127.0.0.1:${metricsPort}/health`, proc.child);
      expect(await health.json()).toEqual({ status: 'ok' });
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(await metrics.text()).toContain('atrium_worker_process_cpu_seconds_total');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
      // The port answers while the workers still start; SIGTERM is handled once they run.
      for (let i = 0; i < 600 && !proc.output().includes('"msg":"worker started"'); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(proc.output()).toContain('"driver":"bullmq"');
    } finally {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      await database.drop();
    }
  });

  it('runs embedded from the shipped PGlite snapshot, with nothing downloaded', async () => {
    const port = await freePort();
    const proc = run('atrium', {
      PORT: String(port),
      DATA_DIR: join(root, '..', 'data-embedded'),
      LOG_LEVEL: 'info',
    });
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/health`, proc.child);
      expect(await health.json()).toMatchObject({ database: 'up', redis: 'disabled' });
      expect(proc.output()).toContain('"database":"pglite","jobs":"in-process"');
    } finally {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    }
  });
});
