import { Readable } from 'node:stream';
import { SourceError, UnsupportedType } from '@atrium/analysis';
import {
  changeUploadStatus,
  findPipelineUpload,
  type PipelineUpload,
  saveFileAnalysis,
  setUploadStage,
  startUploadStage,
  uploadJobKey,
} from '@atrium/db/queries';
import { enqueue, enqueueEmail, type Processor } from '@atrium/jobs';
import type { Storage } from '@atrium/storage';
import type { AnalysisOutcome, PipelineDeps } from './deps.js';
import { crmContact, crmNote } from './notify.js';

/**
 * file-analysis: streams the stored bytes through the analyser, stores the result, and queues the
 * uploader's email and the CRM note in the same transaction as the final status. That status
 * changes only from `analysing`, and the jobs carry keys derived from the upload id, so a job run
 * twice (a retry, a redelivery, two workers) notifies once. Malformed input is a `failed`
 * analysis with its reason; only storage trouble is retried.
 */
export const analyseUpload =
  ({ db, uploads }: PipelineDeps): Processor<'file-analysis'> =>
  async ({ uploadId }, ctx) => {
    const upload = await findPipelineUpload(db, uploadId);
    if (!upload) return ctx.log.warn({ uploadId }, 'file-analysis: no such upload (erased?)');
    if (upload.status !== 'clean' && upload.status !== 'analysing') {
      return ctx.log.info({ uploadId, status: upload.status }, 'file-analysis: nothing to do');
    }
    await db.transaction(async (tx) => {
      await changeUploadStatus(tx, uploadId, { status: 'analysing', from: ['clean'] });
      await startUploadStage(tx, uploadId, 'analysis');
    });
    const started = performance.now();
    let outcome: AnalysisOutcome;
    try {
      outcome = await uploads.analyse({
        open: reader(uploads.storage, upload.storageKey),
        contentType: upload.contentType,
        size: upload.size,
      });
    } catch (error) {
      // Reading the bytes failed: not the file's fault; retried, and on the last attempt told.
      if (error instanceof SourceError && !uploads.lastAttempt('file-analysis', ctx.attempt)) {
        throw error;
      }
      ctx.log.error({ uploadId, err: error }, 'file-analysis: no analysis');
      outcome = failedOutcome(reasonOf(error));
    }
    const durationMs = Math.round(performance.now() - started);
    const recorded = await record(db, upload, outcome, durationMs);
    if (recorded) {
      uploads.metrics.outcome(outcome.status);
      uploads.metrics.stage('analysis', outcome.status, durationMs / 1000);
    }
    ctx.log.info(
      { uploadId, status: outcome.status, kind: outcome.kind, durationMs },
      'file-analysis done',
    );
  };

async function record(
  db: PipelineDeps['db'],
  upload: PipelineUpload,
  outcome: AnalysisOutcome,
  durationMs: number,
): Promise<boolean> {
  const { id } = upload;
  const error = outcome.status === 'failed' ? (outcome.error ?? 'the analysis failed') : null;
  return db.transaction(async (tx) => {
    const changed = await changeUploadStatus(tx, id, {
      status: outcome.status,
      from: ['analysing'],
      detail: error,
    });
    if (!changed) return false;
    await saveFileAnalysis(tx, {
      uploadId: id,
      kind: outcome.kind,
      status: outcome.status,
      summary: outcome.summary,
      result: outcome.result,
      error,
      durationMs,
    });
    await setUploadStage(
      tx,
      id,
      'analysis',
      outcome.status === 'analysed' ? 'done' : 'failed',
      error,
    );
    await enqueueEmail(
      tx,
      upload.lead.email,
      'upload-finished',
      { fileName: upload.filename, uploadId: id, outcome: 'ready' },
      { idempotencyKey: uploadJobKey(id, 'finished') },
    );
    await enqueue(
      tx,
      'crm-sync',
      { ...crmContact(upload.lead), note: crmNote(upload, outcome) },
      { idempotencyKey: uploadJobKey(id, 'crm') },
    );
    await setUploadStage(tx, id, 'notify', 'done');
    return true;
  });
}

const failedOutcome = (error: string): AnalysisOutcome => ({
  kind: 'unknown',
  status: 'failed',
  summary: error,
  result: {},
  error,
});

function reasonOf(error: unknown): string {
  if (error instanceof SourceError) return 'the file could not be read from storage';
  if (error instanceof UnsupportedType) return 'there is no analyser for this type of file';
  // The analysers promise not to throw for a file's content; one that does is a bug.
  return 'the analysis stopped unexpectedly';
}

/**
 * `open()` as the analysers want it (a Readable at once) over the store's asynchronous read; a
 * read that fails errors the stream, which the analyser reports as a `SourceError`.
 */
function reader(storage: Storage, key: string): () => Readable {
  return () =>
    Readable.from(
      (async function* () {
        yield* await storage.read(key);
      })(),
      { objectMode: false },
    );
}
