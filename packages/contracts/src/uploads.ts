/**
 * An upload's life: `pending` (URL handed out) → `uploaded` (bytes stored, complete called) →
 * `scanning` → `clean` | `rejected` → `analysing` → `analysed` | `failed`; `purged` once retention
 * deleted its bytes (metadata and result kept). Only `clean` and later bytes ever leave quarantine.
 */
export const UploadStatuses = [
  'pending',
  'uploaded',
  'scanning',
  'clean',
  'rejected',
  'analysing',
  'analysed',
  'failed',
  'purged',
] as const;
export type UploadStatus = (typeof UploadStatuses)[number];

/** The pipeline's stages, in order; each is one BullMQ job (notify: the email and the CRM note). */
export const UploadStages = ['upload', 'scan', 'analysis', 'notify'] as const;
export type UploadStage = (typeof UploadStages)[number];

/** `waiting`: the stage cannot run yet and will be retried (e.g. clamd unreachable). */
export const UploadStageStatuses = [
  'pending',
  'running',
  'waiting',
  'done',
  'skipped',
  'failed',
] as const;
export type UploadStageStatus = (typeof UploadStageStatuses)[number];

/** Why a file was rejected; `detail` carries the specifics (the signature name, the sniffed type). */
export const UploadRejections = ['infected', 'type_mismatch', 'size_mismatch'] as const;
export type UploadRejection = (typeof UploadRejections)[number];
