import type { QueueDeclarations } from '@atrium/jobs';
import { syncCrm } from './processors/crm-sync.js';
import { sendEmail } from './processors/email.js';
import type { ProcessorDeps } from './processors/index.js';
import { MAINTENANCE_SCHEDULE, maintenance } from './processors/maintenance.js';
import { analyseUpload, scanFile } from './processors/uploads/index.js';

const notBuilt = (queue: string) => () => async () => {
  throw new Error(`${queue}: not built yet`);
};

/**
 * Every queue the worker runs, declared once: its processor, its defaults, its schedule. Payload
 * schemas are the contracts' `JobPayloads`; a queue added there must be declared here.
 */
export const QUEUES: QueueDeclarations<ProcessorDeps> = {
  email: { processor: sendEmail },
  'crm-sync': { processor: syncCrm },
  'file-scan': { processor: scanFile },
  'file-analysis': { processor: analyseUpload },
  // Placeholder while #15 is built on its branch: a job fails visibly, never "done".
  'content-sync': { processor: notBuilt('content-sync') },
  maintenance: {
    processor: maintenance,
    repeating: MAINTENANCE_SCHEDULE,
  },
};
