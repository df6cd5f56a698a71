export { cleanKeyOf, type PipelineDeps, type ScanPolicy, type UploadDeps } from './deps.js';
export { analyseUpload } from './file-analysis.js';
export { scanFile } from './file-scan.js';
export { type UploadMetrics, uploadMetrics } from './metrics.js';
export { PENDING_GRACE_MS, purgeStalePendingUploads, purgeUploads } from './retention.js';
