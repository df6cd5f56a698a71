import type { Database } from '@atrium/db';
import type { CrmClient } from '@atrium/integrations/crm';
import type { MailTransport } from '@atrium/integrations/mail';
import type { Processors } from '@atrium/jobs';
import { syncCrm } from './crm-sync.js';
import { sendEmail } from './email.js';
import { maintenance } from './maintenance.js';

export interface ProcessorDeps {
  db: Database;
  mail: MailTransport;
  crm: CrmClient;
  publicAppUrl: string;
}

/** One processor per queue in the contracts' registry; the type makes a missing one an error. */
export function createProcessors(deps: ProcessorDeps): Processors {
  return {
    email: sendEmail(deps),
    'crm-sync': syncCrm(deps),
    maintenance: maintenance(deps.db),
  };
}
