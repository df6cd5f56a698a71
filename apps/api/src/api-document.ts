import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@atrium/config';
import { createDatabase } from '@atrium/db';
import type { OpenAPI3 } from 'openapi-typescript';
import { buildApp } from './app.js';

/**
 * The OpenAPI document exactly as `/docs/json` serves it, built without a server or a database
 * anyone else uses: the app on an in-memory PGlite it never queries, closed straight after.
 */
export async function apiDocument(): Promise<OpenAPI3> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-openapi-'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir });
  const database = await createDatabase({ dataDir: 'memory://', poolMax: 1 });
  const app = await buildApp(config, { database });
  try {
    await app.ready();
    return structuredClone(app.swagger()) as OpenAPI3;
  } finally {
    await app.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
