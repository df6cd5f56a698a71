import type { Config } from '@atrium/config';
import { type QueueDeclarations, type RepeatingJob, repeatingJobsOf } from '@atrium/jobs';
import { syncContent } from './processors/content-sync.js';
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
  // One sync at a time per worker; concurrent runs elsewhere are serialized per page by a lock.
  'content-sync': {
    processor: syncContent,
    concurrency: 1,
    repeating: [{ name: 'contentful', payload: {}, everyMs: 300_000 }],
  },
  maintenance: {
    processor: ({ db }) => maintenance(db),
    repeating: MAINTENANCE_SCHEDULE,
  },
};

/**
 * The repeating jobs this deployment runs: the Contentful sync only with CMS=contentful, every
 * CONTENT_SYNC_EVERY_MS.
 */
export function repeatingJobsFor(config: Config): RepeatingJob[] {
  return repeatingJobsOf(QUEUES).flatMap((job) => {
    if (job.queue !== 'content-sync') return [job];
    return config.content.contentful ? [{ ...job, everyMs: config.content.syncEveryMs }] : [];
  });
}
