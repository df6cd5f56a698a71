import { readFileSync, writeFileSync } from 'node:fs';

const FILE = new URL('../../BENCHMARKS.md', import.meta.url);

/**
 * Replaces the section between `<!-- name -->` markers in BENCHMARKS.md (adding it if missing),
 * so each benchmark rewrites only its own figures.
 */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = readFileSync(FILE, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, text);
  console.log(block);
}

export const machine = () =>
  `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${process.env.BENCH_NOTE ?? 'this machine (2 cores)'}`;
