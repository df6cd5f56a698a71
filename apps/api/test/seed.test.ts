import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inheritedEnv } from '@atrium/config/testing';
import { createDatabase } from '@atrium/db';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'atrium-seed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `pnpm db:seed` as a real process; resolves to its exit code and what it printed. */
function seed(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/cli/seed.ts'], {
    cwd: ROOT,
    env: { ...inheritedEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('pnpm db:seed', () => {
  it('stops with one line naming the directory and the process while the embedded server has it open', async () => {
    const dataDir = join(scratch, 'in-use');
    const server = await createDatabase({ dataDir });
    try {
      const { code, stdout, stderr } = await seed({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      const line = `seed cannot start: the embedded database in ${dataDir} is open in process ${process.pid} (since `;
      expect(stderr.split('\n')).toEqual([expect.stringContaining(line), '']);
      expect(stderr).toMatch(/\(since [\d-]+T[\d:.]+Z\); stop it first, or use DATABASE_URL\n$/);
    } finally {
      await server.close();
    }
  });
});
