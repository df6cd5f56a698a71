import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@atrium/config/testing';
import type { EmailJob } from '@atrium/contracts';
import { createDatabase, type DatabaseHandle } from '@atrium/db';
import { createTestDatabase } from '@atrium/db/testing';
import type { JobContext, Logger, Processors } from '../src/index.js';
import { idleProcessors, testPrefix } from '../src/testing.js';

export { TEST_REDIS_URL } from '@atrium/config/testing';

export const silentLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A prefix of the test's own; its keys are removed after the file (vitest.setup.ts). */
export const uniquePrefix = () => testPrefix();

/** A fresh migrated database for one test file, closed and dropped by the returned function. */
export async function testDatabase(): Promise<
  DatabaseHandle & { url: string; dispose(): Promise<void> }
> {
  const test = await createTestDatabase();
  const handle = await createDatabase({ url: test.url, poolMax: 4 });
  return {
    ...handle,
    url: test.url,
    async dispose() {
      await handle.close();
      await test.drop();
    },
  };
}

/** Processors that record what they were given; `failTimes` makes email fail its first n tries. */
export function recordingProcessors(failTimes = 0) {
  const emails: { payload: EmailJob; ctx: JobContext }[] = [];
  let failures = 0;
  const processors: Processors = {
    ...idleProcessors(),
    async email(payload, ctx) {
      if (failures < failTimes) {
        failures++;
        throw new Error(`smtp refused (try ${ctx.attempt})`);
      }
      emails.push({ payload, ctx });
    },
  };
  return { processors, emails };
}

/** A redis-server of the test's own, on its own port, that the test may stop and start again. */
export async function ownRedis() {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Ready to accept connections')) resolve();
      });
      child!.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}
