import type { FileAnalysis, Upload, UploadStageState, UploadState } from '@atrium/contracts';
import type { FileAnalysisRow, UploadRow, UploadStageRow } from '@atrium/db';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export const toUpload = (row: UploadRow): Upload => ({
  id: row.id,
  leadId: row.leadId,
  ownerId: row.ownerId,
  filename: row.filename,
  contentType: row.contentType,
  size: row.size,
  purpose: row.purpose,
  status: row.status,
  rejection: row.rejection,
  detail: row.detail,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
  uploadedAt: iso(row.uploadedAt),
  purgedAt: iso(row.purgedAt),
});

const toStage = (row: UploadStageRow): UploadStageState => ({
  name: row.name,
  status: row.status,
  startedAt: iso(row.startedAt),
  finishedAt: iso(row.finishedAt),
  ...(row.error ? { error: row.error } : {}),
});

const settled = new Set(['done', 'skipped']);

/** `stages` in pipeline order; `stage` is where the upload is: the first one not settled. */
export function toUploadState(row: UploadRow, stages: UploadStageRow[]): UploadState {
  const current = stages.find((s) => !settled.has(s.status)) ?? stages.at(-1);
  return { ...toUpload(row), stage: current?.name ?? 'upload', stages: stages.map(toStage) };
}

export const toFileAnalysis = (row: FileAnalysisRow): FileAnalysis => ({
  uploadId: row.uploadId,
  kind: row.kind,
  status: row.status,
  summary: row.summary,
  result: row.result ?? null,
  error: row.error,
  durationMs: row.durationMs,
  createdAt: row.createdAt.toISOString(),
});
