import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the embedded database snapshots live: apps/all-in-one/snapshots, found through the package
 * (as migrations are), so it is the same folder from src/, dist/ and dist/chunks/.
 */
export const SNAPSHOTS = join(
  dirname(createRequire(import.meta.url).resolve('@atrium/all-in-one/package.json')),
  'snapshots',
);
