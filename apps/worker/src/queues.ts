import type { Config } from '@atrium/config';
import { type QueueDeclarations, type RepeatingJob, repeatingJobsOf } from '@atrium/jobs';
import { syncContent } from './processors/content-sync.js';
import { syncCrm } from './processors/crm-sync.js';
import { sendEmail } from './processors/email.js';
import { followUpForm } from './processors/form-followup.js';
import type { ProcessorDeps } from './processors/index.js';
import { MAINTENANCE_SCHEDULE, maintenance } from './processors/maintenance.js';
import { analyseUpload, scanFile } from './processors/uploads/index.js';

/**
 * Every queue the worker runs, declared once: its processor, its defaults, its schedule. Payload
 * schemas are the contracts' `JobPayloads`; a queue added there must be declared here.
 */
export const QUEUES: QueueDeclarations<ProcessorDeps> = {
  email: { processor: sendEmail },
  'crm-sync': { processor: syncCrm },
  'form-followup': { processor: followUpForm },
  'file-scan': { processor: scanFile },
  'file-analysis': { processor: analyseUpload },
  // One sync at a time per worker; concurrent runs elsewhere are serialized per page by a lock.
  'content-sync': {
    processor: syncContent,
    concurrency: 1,
    repeating: [{ name: 'contentful', payload: {}, everyMs: 300_000 }],
  },
  maintenance: {
    processor: maintenance,
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
