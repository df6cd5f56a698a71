// `pnpm lint:openapi` writes the API's OpenAPI document with this, then lints it: the document is
// built from the app itself (its routes and schemas), with no server listening and nothing from
// the environment, so it is the same on every machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { apiDocument } from '../api-document.js';

const target = process.argv[2];
if (!target) {
  console.error('usage: openapi.ts <file.json>');
  process.exit(2);
}
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(await apiDocument(), null, 2)}\n`);
console.log(`wrote ${target}`);
