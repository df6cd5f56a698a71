import type { Readable } from 'node:stream';
import type { Database } from '@atrium/db';
import type { Scanner } from '@atrium/integrations/scanner';
import type { Storage } from '@atrium/storage';
import type { UploadMetrics } from './metrics.js';

/**
 * How the scan stage treats an upload: clamd when one is configured; otherwise `skip` (development,
 * or UPLOAD_SCAN=off: the stage says so and the file goes on unscanned, never called clean) or
 * `wait` (staging and production with scanning on: the file stays quarantined until clamd exists).
 */
export type ScanPolicy =
  | { mode: 'clamd'; scanner: Scanner }
  | { mode: 'skip'; reason: string }
  | { mode: 'wait'; reason: string };

export interface AnalysisInput {
  /** Opens the stored bytes; may be called more than once. */
  open: () => Readable;
  contentType: string;
  size: number;
}

export interface AnalysisOutcome {
  kind: string;
  status: 'analysed' | 'failed';
  summary: string;
  result: Record<string, unknown>;
  error?: string;
}

export interface UploadDeps {
  storage: Storage;
  scan: ScanPolicy;
  analyse: (input: AnalysisInput) => Promise<AnalysisOutcome>;
  metrics: UploadMetrics;
  retentionDays: number;
  /** The clock retention reads (tests move it). */
  now: () => Date;
  /** Waits between tries while clamd cannot be reached: base · 2^(n-1), at most max. */
  scannerRetry: { baseMs: number; maxMs: number };
  /** Whether this is the queue's last attempt (then a stage that keeps failing says so). */
  lastAttempt: (queue: 'file-scan' | 'file-analysis', attempt: number) => boolean;
}

export interface PipelineDeps {
  db: Database;
  uploads: UploadDeps;
}

/** The stored object that holds a clean file: the same name under `clean/`. */
export function cleanKeyOf(key: string): string {
  if (!key.startsWith('quarantine/')) throw new Error(`not a quarantine key: ${key}`);
  return `clean/${key.slice('quarantine/'.length)}`;
}

export const backoff = ({ baseMs, maxMs }: UploadDeps['scannerRetry'], attempts: number) =>
  Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
