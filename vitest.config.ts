import { existsSync, readdirSync } from 'node:fs';
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
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
