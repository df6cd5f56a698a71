// `pnpm docs:config`: writes the README's configuration table and `.env.example` from ENV_DOCS.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable, envExample, README_TABLE } from '../docs.js';

const root = new URL('../../../../', import.meta.url);
const readme = new URL('README.md', root);
const text = readFileSync(readme, 'utf8');
const [before, rest] = text.split(README_TABLE.begin);
const [, after] = (rest ?? '').split(README_TABLE.end);
if (after === undefined) throw new Error(`README.md lacks the ${README_TABLE.begin} markers`);
writeFileSync(
  readme,
  `${before}${README_TABLE.begin}\n${configTable()}\n${README_TABLE.end}${after}`,
);
writeFileSync(new URL('.env.example', root), envExample());
// Biome aligns the table's columns, as it does on every commit.
execFileSync('pnpm', ['exec', 'biome', 'format', '--write', 'README.md'], { cwd: root });
