import type { UploadRejection } from '@atrium/contracts';
import {
  changeUploadStatus,
  findPipelineUpload,
  type PipelineUpload,
  setUploadStage,
  startUploadStage,
  uploadJobKey,
} from '@atrium/db/queries';
import { ScanFailed, ScannerUnavailable } from '@atrium/integrations/scanner';
import {
  enqueue,
  enqueueEmail,
  type JobContext,
  PermanentJobError,
  type Processor,
  RetryLaterError,
} from '@atrium/jobs';
import { NotFound } from '@atrium/storage';
import { backoff, cleanKeyOf, type PipelineDeps } from './deps.js';
import type { UploadOutcome } from './metrics.js';
import { checkType, sniffed } from './sniff.js';

type Verdict =
  | { kind: 'clean' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'rejected'; rejection: UploadRejection; detail: string; error: string };

const reject = (rejection: UploadRejection, detail: string, error = detail): Verdict => ({
  kind: 'rejected',
  rejection,
  detail,
  error,
});

/**
 * file-scan: size, then type by magic number, then clamd, on one read of the stored bytes. A
 * clean file moves from `quarantine/` to `clean/` and its analysis is queued in the same
 * transaction as the `clean` status; a rejected one is told to its uploader and its bytes are
 * deleted. While clamd cannot be reached the file stays quarantined, the stage says `waiting`,
 * and the job is postponed with a growing delay (never failed, never clean).
 */
export const scanFile =
  (deps: PipelineDeps): Processor<'file-scan'> =>
  async ({ uploadId }, ctx) => {
    const { db, uploads } = deps;
    const upload = await findPipelineUpload(db, uploadId);
    if (!upload) return ctx.log.warn({ uploadId }, 'file-scan: no such upload (erased?)');
    // A rejection commits before its bytes are deleted: a retry after a crash deletes them.
    if (upload.status === 'rejected') return uploads.storage.delete(upload.storageKey);
    if (upload.status !== 'uploaded' && upload.status !== 'scanning') {
      return ctx.log.info({ uploadId, status: upload.status }, 'file-scan: already past the scan');
    }
    const attempts = await db.transaction(async (tx) => {
      await changeUploadStatus(tx, uploadId, { status: 'scanning', from: ['uploaded'] });
      return startUploadStage(tx, uploadId, 'scan');
    });
    const started = performance.now();
    let verdict: Verdict;
    try {
      verdict = await inspect(deps, upload);
    } catch (error) {
      return failed(deps, upload, ctx, attempts, error);
    }
    const outcome = await settle(deps, upload, verdict);
    if (outcome) {
      uploads.metrics.outcome(outcome);
      uploads.metrics.stage('scan', outcome, (performance.now() - started) / 1000);
    }
    ctx.log.info({ uploadId, verdict: verdict.kind, outcome }, 'file-scan done');
  };

/** Reads the stored bytes once: size from the store, type from the first bytes, then clamd. */
async function inspect({ uploads }: PipelineDeps, upload: PipelineUpload): Promise<Verdict> {
  const key = upload.storageKey;
  const stored = await uploads.storage.stat(key);
  if (!stored) {
    // Only a clean scan moves the bytes: an earlier attempt got that far and stopped.
    if (await uploads.storage.stat(cleanKeyOf(key))) return { kind: 'clean' };
    return reject('size_mismatch', 'no bytes are stored', 'the file was not found in storage');
  }
  if (stored.size !== upload.size) {
    return reject('size_mismatch', `declared ${upload.size} bytes, stored ${stored.size}`);
  }
  const body = await sniffed(await uploads.storage.read(key));
  try {
    const type = checkType(upload.contentType, body.fileType);
    if (!type.ok) return reject('type_mismatch', type.detail);
    const policy = uploads.scan;
    if (policy.mode === 'skip') return { kind: 'skipped', reason: policy.reason };
    if (policy.mode === 'wait') throw new ScannerUnavailable(policy.reason);
    const result = await policy.scanner.scan(body);
    return result.clean
      ? { kind: 'clean' }
      : reject('infected', result.signature, `infected: ${result.signature}`);
  } finally {
    body.destroy();
  }
}

/**
 * Records the verdict once (the status changes only from `scanning`; a second delivery changes
 * nothing and queues nothing) and returns the outcome, or nothing when it was recorded before.
 */
async function settle(
  { db, uploads }: PipelineDeps,
  upload: PipelineUpload,
  verdict: Verdict,
): Promise<UploadOutcome | undefined> {
  const { id } = upload;
  if (verdict.kind === 'rejected') {
    const changed = await db.transaction(async (tx) => {
      const { rejection, detail } = verdict;
      if (
        !(await changeUploadStatus(tx, id, {
          status: 'rejected',
          from: ['scanning'],
          rejection,
          detail,
        }))
      )
        return false;
      await setUploadStage(tx, id, 'scan', 'failed', verdict.error);
      await setUploadStage(tx, id, 'analysis', 'skipped');
      await enqueueEmail(
        tx,
        upload.lead.email,
        'upload-finished',
        { fileName: upload.filename, uploadId: id, outcome: 'rejected' },
        { idempotencyKey: uploadJobKey(id, 'finished') },
      );
      await setUploadStage(tx, id, 'notify', 'done');
      return true;
    });
    await uploads.storage.delete(upload.storageKey);
    return changed ? verdict.rejection : undefined;
  }
  let storageKey: string | undefined;
  if (verdict.kind === 'clean') {
    storageKey = cleanKeyOf(upload.storageKey);
    await moveOut(uploads.storage, upload.storageKey, storageKey);
  }
  const changed = await db.transaction(async (tx) => {
    // Unscanned bytes stay in quarantine and go straight to analysis: never called clean.
    const status = verdict.kind === 'clean' ? 'clean' : 'analysing';
    if (!(await changeUploadStatus(tx, id, { status, from: ['scanning'], storageKey })))
      return false;
    if (verdict.kind === 'clean') await setUploadStage(tx, id, 'scan', 'done');
    else await setUploadStage(tx, id, 'scan', 'skipped', verdict.reason);
    await setUploadStage(tx, id, 'analysis', 'pending');
    await enqueue(tx, 'file-analysis', { uploadId: id }, { idempotencyKey: `file-analysis:${id}` });
    return true;
  });
  if (!changed) return undefined;
  return verdict.kind === 'clean' ? 'clean' : 'scan_skipped';
}

/** quarantine/ → clean/; a retry finds it moved already. */
async function moveOut(storage: PipelineDeps['uploads']['storage'], from: string, to: string) {
  try {
    await storage.move(from, to);
  } catch (error) {
    if (!(error instanceof NotFound && (await storage.stat(to)))) throw error;
  }
}

/**
 * No verdict. clamd out of reach: `waiting`, postponed without spending an attempt. Anything
 * else (clamd refusing this stream, storage trouble) is retried as usual; when it is permanent or
 * the last attempt, the upload ends `failed`, its bytes still quarantined, never clean.
 */
async function failed(
  { db, uploads }: PipelineDeps,
  upload: PipelineUpload,
  ctx: JobContext,
  attempts: number,
  error: unknown,
): Promise<never> {
  const { id } = upload;
  if (error instanceof ScannerUnavailable && !(await scannerAnswers(uploads.scan))) {
    await setUploadStage(db, id, 'scan', 'waiting', 'waiting for the scanner');
    const delayMs = backoff(uploads.scannerRetry, attempts);
    ctx.log.warn(
      { uploadId: id, err: error, delayMs },
      'file-scan: scanner unreachable; the file stays quarantined',
    );
    throw new RetryLaterError(`file-scan ${id}: waiting for the scanner`, delayMs);
  }
  const permanent =
    (error instanceof ScanFailed && error.permanent) || error instanceof PermanentJobError;
  if (permanent || uploads.lastAttempt('file-scan', ctx.attempt)) {
    const detail =
      error instanceof ScanFailed && error.code === 'size_limit'
        ? 'the file is larger than the scanner accepts'
        : 'the file could not be scanned';
    const changed = await db.transaction(async (tx) => {
      if (!(await changeUploadStatus(tx, id, { status: 'failed', from: ['scanning'], detail })))
        return false;
      await setUploadStage(tx, id, 'scan', 'failed', detail);
      await setUploadStage(tx, id, 'analysis', 'skipped');
      return true;
    });
    if (changed) uploads.metrics.outcome('scan_failed');
    throw new PermanentJobError(`file-scan ${id}: ${detail}`, { cause: error });
  }
  await setUploadStage(db, id, 'scan', 'waiting', 'the scan did not finish; retrying');
  throw error;
}

/** clamd answers a PING: then a scan that could not reach it failed for another reason. */
async function scannerAnswers(policy: PipelineDeps['uploads']['scan']): Promise<boolean> {
  if (policy.mode !== 'clamd') return false;
  return policy.scanner.ping().then(
    () => true,
    () => false,
  );
}
