import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../../..');

/** Every workspace package: the folders under the workspace globs that hold a package.json. */
function workspacePackages(): string[] {
  // The `packages:` list of pnpm-workspace.yaml: its indented `- glob` lines.
  const workspace = readFileSync(join(repo, 'pnpm-workspace.yaml'), 'utf8');
  const list = /^packages:\n((?:\s+-.*\n)+)/m.exec(workspace)?.[1] ?? '';
  const globs = list.split('\n').flatMap((line) => /-\s*['"]?([^'"\s]+)/.exec(line)?.[1] ?? []);
  return globs
    .flatMap((glob) => {
      if (!glob.endsWith('/*')) return [glob];
      const parent = glob.slice(0, -2);
      return readdirSync(join(repo, parent)).map((name) => `${parent}/${name}`);
    })
    .filter((dir) => existsSync(join(repo, dir, 'package.json')));
}

describe('Dockerfile', () => {
  // The deps stage installs from the lockfile before the sources are copied: a workspace package
  // whose package.json it does not copy fails `pnpm install --frozen-lockfile` in the image.
  it('copies the package.json of every workspace package into its deps stage', () => {
    const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
    const packages = workspacePackages();
    expect(packages.length).toBeGreaterThan(5);
    const missing = packages.filter(
      (dir) => !dockerfile.includes(`COPY ${dir}/package.json ${dir}/`),
    );
    expect(missing).toEqual([]);
  });

  // pnpm applies `patchedDependencies` while installing: without the patch files in the deps
  // stage, `pnpm install --frozen-lockfile` fails in the image.
  it('copies every dependency patch into its deps stage before installing', () => {
    const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
    const workspace = readFileSync(join(repo, 'pnpm-workspace.yaml'), 'utf8');
    const patches = [...workspace.matchAll(/^\s+\S+:\s*(patches\/\S+)$/gm)].map((m) => m[1]!);
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) expect(existsSync(join(repo, patch))).toBe(true);
    const copied = dockerfile.indexOf('COPY patches/ patches/');
    expect(copied).toBeGreaterThan(-1);
    expect(copied).toBeLessThan(dockerfile.indexOf('RUN pnpm install --frozen-lockfile'));
  });
});
