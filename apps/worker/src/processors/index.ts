import type { Config } from '@atrium/config';
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
  /** Set with CMS=contentful: the space the content-sync job reads. */
  contentful?: Config['content']['contentful'];
  /** Marks the API's cached content responses stale (see @atrium/integrations/cms). */
  contentChanged?: () => Promise<unknown>;
}

export const createProcessors = (deps: ProcessorDeps): Processors => processorsOf(QUEUES, deps);
