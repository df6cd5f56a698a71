// Streamed CSV analysis (#14) against csv-parse alone reading the same generated file, in one run:
// throughput as a ratio (goal ≥ 0.7) and the RSS the analysis adds while it runs (goal < 64 MiB).
// Each pass runs in a fresh child process; RSS growth is its peak (VmHWM) minus its RSS just
// before the pass. The ceiling is csv-parse with the analyser's options, its records read from
// the stream and dropped. CPU time is reported beside wall time: on a busy machine it is the
// steadier of the two.
// Run: SIZE=1073741824 pnpm --filter @atrium/bench analysis-csv   (SIZE in bytes, default 1 GiB)
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { analyseFile } from '@atrium/analysis';
import { parse } from 'csv-parse';
import { median } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';

const SIZE = Number(process.env.SIZE ?? 1024 ** 3);
const RUNS = Number(process.env.RUNS ?? 3);
const MiB = 1024 * 1024;
const passes = ['csv-parse alone', 'analyseFile'] as const;
type Pass = (typeof passes)[number];
/** The options the analyser gives csv-parse, so the ceiling parses exactly the same way. */
const parserOptions = {
  delimiter: ',',
  bom: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
  max_record_size: MiB,
};

function peakRssMiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

/** In the child: one pass over the file; prints { ms, rows, growthMiB }. */
async function runPass(pass: Pass, file: string): Promise<void> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss / MiB;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let rows = 0;
  if (pass === 'analyseFile') {
    const analysis = await analyseFile({
      open: () => createReadStream(file),
      contentType: 'text/csv',
      size: statSync(file).size,
    });
    if (analysis.status !== 'analysed') throw new Error(analysis.error);
    rows = analysis.result.rows as number;
  } else {
    // The ceiling: the same parse, each record read from the stream and dropped.
    const parser = parse(parserOptions);
    parser.on('data', () => {
      rows++;
    });
    await pipeline(createReadStream(file), parser);
    rows--;
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(JSON.stringify({ ms, cpuMs, rows, growthMiB: peakRssMiB() - before }));
}

const cities = ['Pune', 'Lisbon', 'Osaka', 'Quito', 'Accra', 'Oslo', 'Perth', 'Lima'];

/** Typed columns, some empty cells, quoted fields with commas, one malformed row per 100,000. */
async function generate(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  out.write('id,price,active,created,city,name,score,notes\n');
  let written = 0;
  let row = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++, row++) {
      const day = String((row % 28) + 1).padStart(2, '0');
      const score = row % 13 === 0 ? '' : String((row * 7) % 1000);
      const notes = row % 5 === 0 ? `"note ${row}, with a comma"` : `note ${row % 977}`;
      lines.push(
        row % 100_000 === 99_999
          ? `${row},broken`
          : `${row},${(row % 10_000) / 100},${row % 2 === 0},2024-03-${day},${cities[row % 8]},name${row % 50_000},${score},${notes}`,
      );
    }
    const chunk = `${lines.join('\n')}\n`;
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return row;
}

if (process.argv[2] === '--pass') {
  await runPass(process.argv[3] as Pass, process.argv[4]!);
} else if (process.argv[2] === '--generate') {
  // For profiling one pass by hand: `tsx analysis-csv.ts --generate /tmp/x.csv`, then
  // `node --cpu-prof --import tsx analysis-csv.ts --pass analyseFile /tmp/x.csv`.
  await generate(process.argv[3]!, SIZE);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'atrium-bench-csv-'));
  const file = join(dir, 'data.csv');
  try {
    const rows = await generate(file, SIZE);
    const size = statSync(file).size;
    console.log(`generated ${(size / MiB).toFixed(0)} MiB, ${rows} rows`);
    const results = new Map<Pass, { ms: number; cpuMs: number; growthMiB: number }[]>(
      passes.map((p) => [p, []]),
    );
    for (let run = 0; run < RUNS; run++) {
      for (const pass of passes) {
        const output = execFileSync(
          process.execPath,
          [
            '--expose-gc',
            '--import',
            'tsx',
            new URL(import.meta.url).pathname,
            '--pass',
            pass,
            file,
          ],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const result = JSON.parse(output.trim().split('\n').at(-1)!);
        results.get(pass)!.push(result);
        console.log(run, pass, result);
      }
    }
    const med = (pass: Pass, key: 'ms' | 'cpuMs' | 'growthMiB') =>
      median(results.get(pass)!.map((r) => r[key]));
    const mbps = (pass: Pass) => size / MiB / (med(pass, 'ms') / 1000);
    const cpuMbps = (pass: Pass) => size / MiB / (med(pass, 'cpuMs') / 1000);
    const ratio = mbps('analyseFile') / mbps('csv-parse alone');
    const cpuRatio = cpuMbps('analyseFile') / cpuMbps('csv-parse alone');
    const table = passes
      .map(
        (p) =>
          `| ${p} | ${mbps(p).toFixed(1)} | ${cpuMbps(p).toFixed(1)} | ${med(p, 'growthMiB').toFixed(1)} |`,
      )
      .join('\n');
    writeSection(
      'analysis-csv',
      `### CSV analysis (bench/analysis-csv.ts)
${machine()}; a generated ${(size / MiB).toFixed(0)} MiB CSV (${rows.toLocaleString('en-US')} rows × 8 typed columns, one malformed row in 100,000), median of ${RUNS} runs, each pass in a fresh process.

| pass | MiB/s (wall) | MiB/s (CPU) | RSS growth (MiB) |
|---|---|---|---|
${table}

analyseFile ÷ csv-parse alone: **${ratio.toFixed(2)}** (wall), ${cpuRatio.toFixed(2)} (CPU) — goal ≥ 0.7; analyseFile RSS growth **${med('analyseFile', 'growthMiB').toFixed(1)} MiB** — goal < 64 MiB.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
