import type { Database } from '@atrium/db';
import type { CrmClient } from '@atrium/integrations/crm';
import type { MailTransport } from '@atrium/integrations/mail';
import { type Processors, processorsOf } from '@atrium/jobs';
import { QUEUES } from '../queues.js';

export interface ProcessorDeps {
  db: Database;
  mail: MailTransport;
  crm: CrmClient;
  publicAppUrl: string;
}

export const createProcessors = (deps: ProcessorDeps): Processors => processorsOf(QUEUES, deps);
