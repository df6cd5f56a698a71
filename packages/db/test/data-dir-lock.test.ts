import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle, DataDirLocked, users } from '../src/index.js';
import { pgliteTestSnapshots } from '../src/testing.js';

const scratch = mkdtempSync(join(tmpdir(), 'atrium-lock-'));
const open: DatabaseHandle[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const database of open.splice(0)) await database.close();
  for (const child of children.splice(0)) child.kill();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Opens `dataDir`, a new one starting from the tests' migrated snapshot (initdb takes seconds). */
async function openDatabase(dataDir: string) {
  const database = await createDatabase({ dataDir, pgliteSnapshots: await pgliteTestSnapshots() });
  open.push(database);
  return database;
}

/** A real other process (alive until killed), and its pid. */
function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/** The pid of a process that has exited. */
async function deadPid() {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

const lockOf = (dataDir: string, pid: number) =>
  writeFileSync(
    join(dataDir, 'atrium.lock'),
    JSON.stringify({ pid, since: '2026-01-01T00:00:00Z' }),
  );

describe('the embedded database directory (DATA_DIR)', () => {
  it('is opened by one holder at a time: a second open fails with one line naming the directory', async () => {
    const dataDir = join(scratch, 'twice');
    await openDatabase(dataDir);
    const error = await createDatabase({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLocked);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^the embedded database in ${dataDir} is open in this process \\(since .+\\); stop it first, or use DATABASE_URL$`,
      ),
    );
  });

  it('refuses while another live process holds it, naming that process', async () => {
    const dataDir = join(scratch, 'other');
    await openDatabase(dataDir);
    await open.pop()!.close();
    const pid = otherProcess();
    lockOf(dataDir, pid);
    await expect(createDatabase({ dataDir })).rejects.toThrow(
      `the embedded database in ${dataDir} is open in process ${pid} (since 2026-01-01T00:00:00Z); stop it first, or use DATABASE_URL`,
    );
  });

  it('can be opened again once closed, with its data', async () => {
    const dataDir = join(scratch, 'reopen');
    const first = await openDatabase(dataDir);
    await first.migrate();
    await first.db.insert(users).values({ email: 'kept@example.com' });
    await open.pop()!.close();
    expect(existsSync(join(dataDir, 'atrium.lock'))).toBe(false);
    const again = await openDatabase(dataDir);
    expect(await again.db.select({ email: users.email }).from(users)).toEqual([
      { email: 'kept@example.com' },
    ]);
  });

  it('takes over a lock left by a process that has died', async () => {
    const dataDir = join(scratch, 'stale');
    await openDatabase(dataDir);
    await open.pop()!.close();
    lockOf(dataDir, await deadPid());
    const database = await openDatabase(dataDir);
    expect(await database.ping()).toBe(true);
    await expect(createDatabase({ dataDir })).rejects.toThrow(DataDirLocked);
  });
});
