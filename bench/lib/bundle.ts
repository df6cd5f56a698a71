import { execFileSync } from 'node:child_process';

const BUILD = new URL('../../apps/all-in-one/build.mjs', import.meta.url).pathname;
const DIST = new URL('../../apps/all-in-one/dist/', import.meta.url).pathname;

/** The bundles `pnpm start:api` and `pnpm start:worker` run: what production runs, not tsx. */
export const API_BUNDLE = `${DIST}api.mjs`;
export const WORKER_BUNDLE = `${DIST}worker.mjs`;

/** The preload every start command runs (sizes the thread pool before Node starts it). */
export const THREADPOOL = new URL('../../apps/all-in-one/threadpool.cjs', import.meta.url).pathname;

let built = false;

/**
 * Builds the bundles once per benchmark run (about 2 s), so a benchmark never measures a stale
 * build. Under tsx a server pays for esbuild's `keepNames` (every closure renamed as it is made)
 * and its loader thread, which production does not.
 */
export function ensureBundles(): void {
  if (built) return;
  execFileSync(process.execPath, [BUILD], { stdio: 'inherit' });
  built = true;
}
