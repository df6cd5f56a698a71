import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per workspace package that has tests; each inherits the settings below.
const projects = ['apps', 'packages'].flatMap((group) =>
  readdirSync(group)
    .filter((name) => existsSync(`${group}/${name}/test`))
    .map((name) => ({
      extends: true as const,
      test: { name, root: `${group}/${name}`, include: ['test/**/*.test.ts'] },
    })),
);

export default defineConfig({
  test: {
    projects,
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
    // Vitest's default is one file fewer than the cores: a single file at a time on a 2-core
    // machine, while the files spend much of their time waiting on PostgreSQL, Redis and child
    // processes. Two more files than the cores keep them busy (on 2 cores: 3 files 295 s, 4 files
    // 267 s); not twice the cores, so a large machine does not run out of PostgreSQL connections.
    maxWorkers: availableParallelism() + 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
