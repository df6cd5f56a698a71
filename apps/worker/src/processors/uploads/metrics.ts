import type { Database } from '@atrium/db';
import { storedUploadBytes } from '@atrium/db/queries';
import type { Scanner } from '@atrium/integrations/scanner';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type UploadOutcome =
  | 'clean'
  | 'scan_skipped'
  | 'infected'
  | 'type_mismatch'
  | 'size_mismatch'
  | 'scan_failed'
  | 'analysed'
  | 'failed'
  | 'purged';

export interface UploadMetrics {
  outcome(outcome: UploadOutcome): void;
  stage(stage: 'scan' | 'analysis', outcome: string, seconds: number): void;
}

/**
 * The pipeline's metrics on the process's registry (the API's /metrics embedded, the worker's
 * own server standalone): outcomes, stage durations, and two gauges read at scrape time, so they
 * are true whichever process did the work: clamd answering a PING, and the bytes held in storage.
 * Without a registry nothing is recorded.
 */
export function uploadMetrics(
  registry: Registry | undefined,
  sources: { db: Database; scanner: Scanner | undefined },
): UploadMetrics {
  if (!registry) return { outcome() {}, stage() {} };
  const registers = [registry];
  const outcomes = new Counter({
    name: 'atrium_uploads_total',
    help: 'Uploads that reached an outcome in this process (a scan verdict, an analysis, a purge)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const stages = new Histogram({
    name: 'atrium_upload_stage_duration_seconds',
    help: 'Time one attempt of an upload stage took, by stage and outcome',
    labelNames: ['stage', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const { db, scanner } = sources;
  new Gauge({
    name: 'atrium_upload_scanner_up',
    help: 'Whether clamd answered a PING at scrape time (0 also when no scanner is configured)',
    registers,
    async collect() {
      const up = scanner
        ? await withDeadline(scanner.ping(), 1000).then(
            () => 1,
            () => 0,
          )
        : 0;
      this.set(up);
    },
  });
  new Gauge({
    name: 'atrium_upload_bytes_stored',
    help: 'Bytes of uploads held in storage (scanned or waiting), read from the database',
    registers,
    async collect() {
      // A scrape while the database is down reports nothing rather than failing /metrics.
      const bytes = await withDeadline(storedUploadBytes(db), 1000).catch(() => undefined);
      if (bytes !== undefined) this.set(bytes);
    },
  });
  return {
    outcome: (outcome) => outcomes.inc({ outcome }),
    stage: (stage, outcome, seconds) => stages.observe({ stage, outcome }, seconds),
  };
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
