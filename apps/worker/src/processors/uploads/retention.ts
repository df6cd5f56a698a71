import {
  deletePendingUpload,
  markUploadPurged,
  stalePendingUploads,
  uploadsPastRetention,
} from '@atrium/db/queries';
import type { PipelineDeps } from './deps.js';

const DAY = 86_400_000;
const BATCH = 100;
/**
 * A pending upload is removed this long after its URL expired, not at once: a PUT that began
 * just before the expiry may still be streaming, and its client may call complete after it.
 */
export const PENDING_GRACE_MS = DAY;

/**
 * purge-uploads: the bytes of uploads requested more than UPLOAD_RETENTION_DAYS ago are deleted
 * and the upload marked `purged` (its metadata, stages and analysis stay). Bytes go first: a
 * crash in between leaves a row that the next run purges again, never bytes nothing points to.
 */
export async function purgeUploads({ db, uploads }: PipelineDeps): Promise<number> {
  const now = uploads.now();
  const before = new Date(now.getTime() - uploads.retentionDays * DAY);
  let purged = 0;
  for (;;) {
    const batch = await uploadsPastRetention(db, before, BATCH);
    for (const { id, storageKey } of batch) {
      await uploads.storage.delete(storageKey);
      if (await markUploadPurged(db, id, now)) {
        purged += 1;
        uploads.metrics.outcome('purged');
      }
    }
    if (batch.length < BATCH) return purged;
  }
}

/**
 * purge-stale-uploads: `pending` uploads whose URL expired (plus the grace above) were never
 * completed; whatever bytes arrived and the row itself are removed.
 */
export async function purgeStalePendingUploads({ db, uploads }: PipelineDeps): Promise<number> {
  const before = new Date(uploads.now().getTime() - PENDING_GRACE_MS);
  let removed = 0;
  for (;;) {
    const batch = await stalePendingUploads(db, before, BATCH);
    for (const { id, storageKey } of batch) {
      await uploads.storage.delete(storageKey);
      if (await deletePendingUpload(db, id)) removed += 1;
    }
    if (batch.length < BATCH) return removed;
  }
}
