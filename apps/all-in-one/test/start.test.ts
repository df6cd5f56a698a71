import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, inheritedEnv, TEST_DATABASE_URL, TEST_REDIS_URL } from '@atrium/config/testing';
import { createTestDatabase } from '@atrium/db/testing';
import { testPrefix } from '@atrium/jobs/testing';
import { describe, expect, it } from 'vitest';

// The bundle `pnpm start` runs (built by `pnpm test`'s build step before the tests), with its preload.
const MAIN = new URL('../dist/atrium.mjs', import.meta.url).pathname;
const THREADPOOL = new URL('../threadpool.cjs', import.meta.url).pathname;

/** Starts `pnpm start`'s entry point as a real process with only the given environment. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--require', THREADPOOL, MAIN], {
    cwd: mkdtempSync(join(tmpdir(), 'atrium-start-')),
    env: { ...inheritedEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitForHealth(base: string, child: ChildProcess) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('process exited before it was healthy');
    try {
      const response = await fetch(`${base}/health`);
      if (response.status === 200) return response.json();
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('not healthy in 30 s');
}

/**
 * Registers and signs in through the bundle: code that loads lazily (the password dictionaries,
 * the database driver) and prepared statements run as they do in production, not as in the
 * source-level tests.
 */
async function signUpAndIn(base: string) {
  const post = (path: string, body: unknown) =>
    fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const weak = await post('/auth/register', { email: 'weak@example.com', password: 'password12' });
  expect(weak.status).toBe(400);
  const password = 'plum-orbit-cactus-lantern-93';
  expect((await post('/auth/register', { email: 'start@example.com', password })).status).toBe(201);
  const login = await post('/auth/login', { login: 'start@example.com', password });
  expect(login.status).toBe(200);
  expect(((await login.json()) as { refreshToken: string }).refreshToken).toMatch(/^[\w-]{43}$/);
}

describe('pnpm start: the bundled API and worker in one process, over a real socket', () => {
  it('serves health, docs and metrics on the embedded default and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = start({ PORT: String(port), DATA_DIR: './.data' });
    try {
      expect(await waitForHealth(base, proc.child)).toMatchObject({
        status: 'ok',
        database: 'up',
        redis: 'disabled',
      });
      expect((await fetch(`${base}/docs/json`)).status).toBe(200);
      expect((await fetch(`${base}/docs/`)).status).toBe(200);
      // ReDoc's bundle resolves from the bundle's own node_modules (redoc is external).
      expect(await (await fetch(`${base}/redoc`)).text()).toContain('redoc.standalone.js');
      const redoc = await fetch(`${base}/redoc/redoc.standalone.js`);
      expect(redoc.status).toBe(200);
      expect((await redoc.text()).length).toBeGreaterThan(500_000);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain(
        'atrium_http_request_duration_seconds',
      );
      expect(proc.output()).toContain('"database":"pglite","jobs":"in-process"');
      await signUpAndIn(base);
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('atrium is stopping');
  });

  it('runs on PostgreSQL and BullMQ when DATABASE_URL and REDIS_URL are set', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const proc = start({
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: testPrefix(),
    });
    try {
      expect(await waitForHealth(`http://127.0.0.1:${port}`, proc.child)).toMatchObject({
        database: 'up',
        redis: 'up',
      });
      expect(proc.output()).toContain('"database":"postgres","jobs":"bullmq"');
      await signUpAndIn(`http://127.0.0.1:${port}`);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
      await database.drop();
    }
  });

  it('stops with one line naming DATABASE_URL and its target when the database does not answer, never its password', async () => {
    const closed = await freePort();
    const proc = start({
      DATABASE_URL: `postgres://atrium:hunter2-secret@127.0.0.1:${closed}/atrium?password=hunter3`,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: testPrefix(),
    });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe(
      `atrium cannot start: DATABASE_URL: cannot connect to postgres://atrium:***@127.0.0.1:${closed}/atrium (ECONNREFUSED)`,
    );
    expect(proc.output()).not.toMatch(/hunter|\n\s+at /);
  });

  it('stops with one line naming REDIS_URL when Redis is down at start, not a stack trace per client', async () => {
    const database = await createTestDatabase();
    const closed = await freePort();
    try {
      const proc = start({
        DATABASE_URL: database.url,
        REDIS_URL: `redis://default:hunter2-secret@localhost:${closed}/0`,
        QUEUE_PREFIX: testPrefix(),
      });
      expect(await proc.exited).toBe(1);
      expect(proc.output().trim()).toBe(
        `atrium cannot start: REDIS_URL: cannot connect to redis://default:***@localhost:${closed}/0 (ECONNREFUSED)`,
      );
      expect(proc.output()).not.toContain('hunter2');
    } finally {
      await database.drop();
    }
  });

  it("names the server's refusal: a database that does not exist", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/atrium_start_missing';
    const proc = start({ DATABASE_URL: url.href });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toMatch(
      /^atrium cannot start: DATABASE_URL: cannot connect to postgres:\/\/\S+:5432\/atrium_start_missing \(3D000 database "atrium_start_missing" does not exist\)$/,
    );
  });

  it('logs readable lines in development on a terminal (through a pipe, JSON: the tests above)', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'atrium-tty-'));
    // util-linux `script` gives the process a pseudo-terminal for stdout.
    const command = [process.execPath, '--require', THREADPOOL, MAIN]
      .map((part) => `'${part}'`)
      .join(' ');
    const tty = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: dataDir,
      env: { ...inheritedEnv(), NODE_ENV: 'development', PORT: String(port), DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    tty.stdout!.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => tty.on('exit', resolve));
    try {
      await waitForHealth(`http://127.0.0.1:${port}`, tty);
      for (let i = 0; i < 100 && !output.includes('Atrium is ready'); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: .*Atrium is ready/);
      expect(output).toMatch(/database.*: "pglite"/);
      expect(output).not.toContain('{"level"');
    } finally {
      // `script` and the server under it: their own process group (detached).
      if (tty.exitCode === null) process.kill(-tty.pid!, 'SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stops at once with one line naming a bad variable', async () => {
    const proc = start({ PORT: 'abc' });
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim()).toBe(
      'Invalid configuration: PORT must be a whole number from 1 to 65535 (got "abc")',
    );
  });
});
