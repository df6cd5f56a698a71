import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { API_BUNDLE, ensureBundles, THREADPOOL } from './bundle.js';
import { cpuMicros, freePort } from './process.js';

export { THREADPOOL };

export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
/** `pnpm start:api`'s entry point: the bundle, built when a benchmark first starts it. */
export const API_MAIN = API_BUNDLE;

/** Starts a server script (TypeScript through tsx, or plain .mjs) and waits for `readyPath`. */
export async function startServer(
  script: string,
  env: Record<string, string>,
  readyPath = '/health',
): Promise<{ url: string; child: ChildProcess }> {
  if (script === API_BUNDLE) ensureBundles();
  const port = await freePort();
  const args = [
    '--require',
    THREADPOOL,
    ...(script.endsWith('.ts') ? ['--import', TSX] : []),
    script,
  ];
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url + readyPath)).ok) return { url, child };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Load {
  rps: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** CPU time the `server` process spent per answered request (µs), when one was named. */
  cpuPerRequest?: number;
}

/**
 * One autocannon run; a short warm-up first so JIT and pools are settled. With `server`, also the
 * CPU that process spent per answered request: steadier than throughput on a machine whose speed
 * swings, since it does not depend on how fast the load generator and the database ran alongside.
 */
export async function load(options: autocannon.Options, server?: ChildProcess): Promise<Load> {
  await autocannon({ ...options, duration: 3 });
  const before = server?.pid ? cpuMicros(server.pid) : 0;
  const result = await autocannon(options);
  const spent = server?.pid ? cpuMicros(server.pid) - before : 0;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ...(server ? { cpuPerRequest: spent / Math.max(1, result.requests.total) } : {}),
  };
}
