import type { Database } from '@atrium/db';
import type { Processors } from '@atrium/jobs';
import { sendEmail } from './email.js';
import { maintenance } from './maintenance.js';

export interface ProcessorDeps {
  db: Database;
}

/** One processor per queue in the contracts' registry; the type makes a missing one an error. */
export function createProcessors(deps: ProcessorDeps): Processors {
  return {
    email: sendEmail,
    maintenance: maintenance(deps.db),
  };
}
