// Bundles the three entry points (all-in-one, API, worker) into plain JavaScript, so production
// and `pnpm start` run without a TypeScript loader: on Node 20 tsx resolves every module through
// off-thread loader hooks, which cost more than a second and ~100 MiB at start-up.
// Packages that load files next to their own code (WASM, native addons, UI assets) stay external
// and are dependencies of this package, so they resolve from dist/.
//
// Idle memory is most of what this file decides (figures in BENCHMARKS.md, cold-start):
// - `splitting`: the entry points share chunks, and modules imported with `import()` (BullMQ in
//   embedded mode, the password dictionaries until the first password is checked) become chunks
//   of their own that are never read until needed. V8 keeps every loaded script's source in the
//   heap, so unread chunks are memory saved.
// - No minification: a stack trace points into readable JavaScript with the original names, and
//   every module is headed by its source path. The maps are written (without sources) for
//   `node --enable-source-maps`, which is off by default because Node parses every map at start-up
//   (about +50 MiB here).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const external = [
  '@electric-sql/pglite',
  '@node-rs/argon2',
  '@fastify/swagger-ui',
  // Its standalone browser bundle is served as a file (/redoc), not imported.
  'redoc',
  '@bull-board/api',
  '@bull-board/fastify',
  'pino',
  // Loaded with createRequire by the logger, in development on a terminal only (never bundled).
  'pino-pretty',
  // A native addon with libvips beside it (@atrium/analysis, image metadata).
  'sharp',
  // CommonJS loaded with import(): in a split bundle esbuild would hand it over as `default` only,
  // where Node's own import() finds the named exports. Loaded on the first password check.
  '@zxcvbn-ts/core',
  '@zxcvbn-ts/language-common',
  '@zxcvbn-ts/language-en',
];

const root = fileURLToPath(new URL('.', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true }); // chunk names change between builds

await build({
  absWorkingDir: root,
  entryPoints: {
    atrium: 'src/main.ts',
    api: '../api/src/main.ts',
    worker: '../worker/src/main.ts',
    snapshot: 'src/snapshot.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  sourcesContent: false,
  external,
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});

// The embedded database a new DATA_DIR starts from (a few seconds, once per set of migrations).
execFileSync(process.execPath, [`${root}/dist/snapshot.mjs`], { stdio: 'inherit' });
