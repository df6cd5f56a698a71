import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@atrium/config/testing';
import { clamdScanner } from '../scanner/clamd.js';

export interface ClamdTestOptions {
  /** The directory of signature databases (`.hdb`…) clamd loads. */
  databaseDirectory: string;
  /** The config template with `{{…}}` placeholders (see test/clamav/clamd.conf.template). */
  configTemplate: string;
  /** clamd's StreamMaxLength, e.g. `200M` (default). */
  streamMaxLength?: string;
}

/**
 * The signature database shipped for tests (EICAR and `Atrium-Test-Fixture`, see
 * test/clamav/atrium.hdb) and its config template: what other packages' tests start clamd with.
 */
export const SHIPPED_CLAMD: ClamdTestOptions = {
  databaseDirectory: resolve(import.meta.dirname, '../../test/clamav'),
  configTemplate: resolve(import.meta.dirname, '../../test/clamav/clamd.conf.template'),
};

const INSTALL_HINT =
  "clamd is not installed: install Debian's clamav-daemon (`apt-get install -y clamav-daemon`); .ci/run does this when clamd is missing";

/**
 * A real clamd (Debian's clamav-daemon) on a free loopback port and a UNIX socket in a temporary
 * directory, in the foreground, on the database given: tests never need signature downloads.
 * Resolves once clamd answers PING; fails with how to install clamd when it is missing.
 */
export async function startClamd(options: ClamdTestOptions) {
  const dir = await mkdtemp(join(tmpdir(), 'atrium-clamd-'));
  const port = await freePort();
  const socket = join(dir, 'clamd.sock');
  const logFile = join(dir, 'clamd.log');
  const values: Record<string, string> = {
    DATABASE_DIRECTORY: resolve(options.databaseDirectory),
    TEMPORARY_DIRECTORY: dir,
    TCP_PORT: String(port),
    LOCAL_SOCKET: socket,
    LOG_FILE: logFile,
    STREAM_MAX_LENGTH: options.streamMaxLength ?? '200M',
  };
  const template = await readFile(options.configTemplate, 'utf8');
  const config = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`clamd template: unknown placeholder ${name}`);
    return values[name]!;
  });
  const configFile = join(dir, 'clamd.conf');
  await writeFile(configFile, config);

  const child = await spawnClamd(configFile).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  // Drained, or a chatty clamd would block on a full pipe; the tail goes into start-up errors.
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const scanner = clamdScanner({ host: '127.0.0.1', port, connectTimeoutMs: 1_000 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await scanner.ping();
      break;
    } catch (error) {
      if (exited || Date.now() > deadline) {
        child.kill('SIGKILL');
        const log = await readFile(logFile, 'utf8').catch(() => '');
        await rm(dir, { recursive: true, force: true });
        const why = exited ? 'it exited' : 'no PONG in 60 s';
        throw new Error(`clamd did not start (${why}):\n${log}${stderr}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return {
    host: '127.0.0.1',
    port,
    socket,
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
export type ClamdProcess = Awaited<ReturnType<typeof startClamd>>;

/** clamd from PATH, else where Debian puts it (/usr/sbin is not on every user's PATH). */
async function spawnClamd(configFile: string): Promise<ChildProcess> {
  for (const command of ['clamd', '/usr/sbin/clamd']) {
    const child = spawn(command, [`--config-file=${configFile}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const started = await new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', () => resolve(false));
    });
    if (started) return child;
  }
  throw new Error(INSTALL_HINT);
}
