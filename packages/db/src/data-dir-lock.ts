import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RefusedToStart } from '@atrium/config';

/**
 * One process at a time opens an embedded database: two PGlite instances writing one directory
 * corrupt it, and the second one's writes are lost anyway (`pnpm db:seed` beside a running server).
 *
 * Hand-written rather than proper-lockfile: that library proves its holder alive by refreshing a
 * file's mtime on a timer, and PGlite runs queries on this very thread, so a long migration or
 * query would stop the refresh and let a second process take a lock still in use. Here the lock
 * is a file naming the holder's pid, created whole (written aside, then hard-linked: atomic, and
 * failing when the lock exists) and judged stale only when that pid is gone — no timer involved.
 */
export class DataDirLocked extends RefusedToStart {
  override name = 'DataDirLocked';
}

const LOCK_FILE = 'atrium.lock';

interface Holder {
  pid: number;
  since: string;
}

/** Directories this process holds: a lock naming our pid that is not listed was left by a
 * previous process that had the same pid (pid 1 in a restarted container). */
const held = new Set<string>();
let releaseAtExit = false;

/** Takes `dir` for this process or throws DataDirLocked; returns the release function. */
export function lockDataDir(dir: string): () => void {
  const path = resolve(dir);
  const file = join(path, LOCK_FILE);
  const mine: Holder = { pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(file, mine)) {
      held.add(path);
      if (!releaseAtExit) {
        releaseAtExit = true;
        process.once('exit', () => {
          for (const dir of held) rmSync(join(dir, LOCK_FILE), { force: true });
        });
      }
      return () => release(path);
    }
    const holder = readHolder(file);
    if (holder && isLive(holder, path)) throw locked(path, holder);
    takeOver(file, holder);
  }
  throw new DataDirLocked(`could not lock the embedded database in ${path}; try again`);
}

function release(path: string) {
  if (held.delete(path)) rmSync(join(path, LOCK_FILE), { force: true });
}

function create(file: string, holder: Holder): boolean {
  const aside = `${file}.${randomUUID()}`;
  writeFileSync(aside, JSON.stringify(holder));
  try {
    linkSync(aside, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return Number.isInteger(holder.pid)
      ? { pid: holder.pid!, since: String(holder.since) }
      : undefined;
  } catch {
    return undefined; // gone since, or not ours to read: stale either way
  }
}

function isLive({ pid }: Holder, path: string): boolean {
  if (pid === process.pid) return held.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Moves a stale lock aside. Should another process have replaced it with a live one meanwhile,
 * that one is put back and the next attempt finds it.
 */
function takeOver(file: string, stale: Holder | undefined) {
  const aside = `${file}.stale-${randomUUID()}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readHolder(aside);
  if (moved && moved.pid !== stale?.pid) {
    try {
      linkSync(aside, file);
    } catch {}
  }
  rmSync(aside, { force: true });
}

function locked(path: string, { pid, since }: Holder) {
  const who = pid === process.pid ? 'this process' : `process ${pid}`;
  return new DataDirLocked(
    `the embedded database in ${path} is open in ${who} (since ${since}); stop it first, or use DATABASE_URL`,
  );
}
