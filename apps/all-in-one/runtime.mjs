// `node apps/all-in-one/runtime.mjs <dir>`: assembles what production runs into <dir>, after
// `pnpm build`. The Dockerfile's runtime stage is exactly this folder (its build stage runs this
// script and the runtime stage copies the result), and test/runtime.test.ts starts the same folder
// with node, so what the image holds is tested where no Docker engine runs.
//
// <dir>/apps/all-in-one/ (the start commands' paths are those of the repository):
// - package.json, threadpool.cjs, dist/ (the bundles, without the snapshot writer) and snapshots/
//   (the migrated, empty embedded database);
// - node_modules/: only the packages build.mjs leaves external (this package's `dependencies`)
//   and theirs, at the lockfile's versions, installed by `pnpm deploy --prod`;
// - node_modules/@atrium/db/{package.json,drizzle/} and node_modules/@atrium/config/package.json:
//   the bundle finds the migrations and its version through these packages, and needs nothing
//   else of them (their code is in the bundle).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('.', import.meta.url));
const repo = join(pkg, '../..');
const target = process.argv[2];
if (!target) {
  console.error('usage: node apps/all-in-one/runtime.mjs <empty or new directory>');
  process.exit(2);
}
for (const built of ['dist/api.mjs', 'dist/worker.mjs', 'dist/atrium.mjs', 'snapshots']) {
  if (!existsSync(join(pkg, built))) {
    console.error(`apps/all-in-one/${built} is missing: run \`pnpm build\` first`);
    process.exit(1);
  }
}

const app = join(target, 'apps/all-in-one');
rmSync(target, { recursive: true, force: true });
mkdirSync(app, { recursive: true });

// pnpm deploy copies the package's folder and installs its production dependencies beside it; only
// node_modules is kept (its links are relative, so the folder moves as a whole).
const deployed = mkdtempSync(join(tmpdir(), 'atrium-deploy-'));
try {
  execFileSync(
    'pnpm',
    [
      '--filter',
      '@atrium/all-in-one',
      'deploy',
      '--prod',
      '--legacy',
      // Everything is in the store after `pnpm install`: no registry request.
      '--prefer-offline',
      '--reporter=silent',
      deployed,
    ],
    { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  renameSync(join(deployed, 'node_modules'), join(app, 'node_modules'));
} finally {
  rmSync(deployed, { recursive: true, force: true });
}

for (const file of ['package.json', 'threadpool.cjs', 'snapshots'])
  cpSync(join(pkg, file), join(app, file), { recursive: true });
// snapshot.mjs writes snapshots/ at build time; the chunks it shares stay, as the others use them.
cpSync(join(pkg, 'dist'), join(app, 'dist'), {
  recursive: true,
  filter: (source) => !/[/\\]snapshot\.mjs(\.map)?$/.test(source),
});
const atrium = join(app, 'node_modules/@atrium');
mkdirSync(join(atrium, 'db'), { recursive: true });
mkdirSync(join(atrium, 'config'), { recursive: true });
cpSync(join(repo, 'packages/db/package.json'), join(atrium, 'db/package.json'));
cpSync(join(repo, 'packages/db/drizzle'), join(atrium, 'db/drizzle'), { recursive: true });
cpSync(join(repo, 'packages/config/package.json'), join(atrium, 'config/package.json'));
