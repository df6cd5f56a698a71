// Bundles the three entry points (all-in-one, API, worker) into plain JavaScript, so production
// and `pnpm start` run without a TypeScript loader: on Node 20 tsx resolves every module through
// off-thread loader hooks, which cost more than a second and ~100 MiB at start-up.
// Packages that load files next to their own code (WASM, native addons, UI assets) stay external
// and are dependencies of this package, so they resolve from dist/.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const external = [
  '@electric-sql/pglite',
  '@node-rs/argon2',
  '@fastify/swagger-ui',
  '@bull-board/api',
  '@bull-board/fastify',
  'pino',
];

await build({
  absWorkingDir: fileURLToPath(new URL('.', import.meta.url)),
  entryPoints: {
    atrium: 'src/main.ts',
    api: '../api/src/main.ts',
    worker: '../worker/src/main.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
