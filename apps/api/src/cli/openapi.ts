// `pnpm lint:openapi` writes the API's OpenAPI document with this, then lints it: the document is
// built from the app itself (its routes and schemas), on an embedded database of its own, with no
// server listening and nothing from the environment, so it is the same on every machine.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '@atrium/config';
import { buildApp } from '../app.js';

const target = process.argv[2];
if (!target) {
  console.error('usage: openapi.ts <file.json>');
  process.exit(2);
}
const dataDir = mkdtempSync(join(tmpdir(), 'atrium-openapi-'));
try {
  const app = await buildApp(
    loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir }),
  );
  await app.ready();
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  await app.close();
  console.log(`wrote ${target}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
