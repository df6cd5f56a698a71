import { analyseFile } from '@atrium/analysis';
import { attemptsFor, type RetryPolicy } from '@atrium/jobs';
import { scanPolicyFromConfig, storageFromConfig } from './integrations.js';
import { type UploadDeps, uploadMetrics } from './processors/uploads/index.js';
import type { WorkerOptions } from './worker.js';

/** Between tries while clamd is out of reach: 5 s, doubling, at most 10 minutes. */
const SCANNER_RETRY = { baseMs: 5_000, maxMs: 10 * 60_000 };

/** The uploads pipeline's dependencies, from config unless the options replace some. */
export async function uploadDeps(options: WorkerOptions, retry: RetryPolicy): Promise<UploadDeps> {
  const { config, database, log } = options;
  const given = options.uploads ?? {};
  const scan = given.scan ?? scanPolicyFromConfig(config, log);
  const scanner = scan.mode === 'clamd' ? scan.scanner : undefined;
  return {
    storage: given.storage ?? (await storageFromConfig(config)),
    scan,
    analyse: given.analyse ?? analyseFile,
    metrics: given.metrics ?? uploadMetrics(options.metrics, { db: database.db, scanner }),
    retentionDays: given.retentionDays ?? config.uploads.retentionDays,
    now: given.now ?? (() => new Date()),
    scannerRetry: given.scannerRetry ?? SCANNER_RETRY,
    lastAttempt: (queue, attempt) => attempt >= attemptsFor(retry, queue),
  };
}
