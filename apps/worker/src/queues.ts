import type { QueueDeclarations } from '@atrium/jobs';
import { syncCrm } from './processors/crm-sync.js';
import { sendEmail } from './processors/email.js';
import type { ProcessorDeps } from './processors/index.js';
import { MAINTENANCE_SCHEDULE, maintenance } from './processors/maintenance.js';

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
  // Placeholders while #14 and #15 are built on their branches: a job fails visibly, never "done".
  'file-scan': { processor: notBuilt('file-scan') },
  'file-analysis': { processor: notBuilt('file-analysis') },
  'content-sync': { processor: notBuilt('content-sync') },
  maintenance: {
    processor: ({ db }) => maintenance(db),
    repeating: MAINTENANCE_SCHEDULE,
  },
};
