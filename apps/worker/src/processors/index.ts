import type { Config } from '@atrium/config';
import type { Database } from '@atrium/db';
import type { CrmClient } from '@atrium/integrations/crm';
import type { MailTransport } from '@atrium/integrations/mail';
import { type Processors, processorsOf } from '@atrium/jobs';
import { QUEUES } from '../queues.js';
import type { AuditRetention } from './maintenance.js';
import type { UploadDeps } from './uploads/index.js';

export interface ProcessorDeps {
  db: Database;
  mail: MailTransport;
  crm: CrmClient;
  publicAppUrl: string;
  /** Storage, scanner, analyser and clock of the uploads pipeline. */
  uploads: UploadDeps;
  /** Set with CMS=contentful: the space the content-sync job reads. */
  contentful?: Config['content']['contentful'];
  /** Marks the API's cached content responses stale (see @atrium/integrations/cms). */
  contentChanged?: () => Promise<unknown>;
  /** Audit retention (AUDIT_RETENTION_DAYS) and the key its checkpoints are signed with. */
  audit?: AuditRetention;
}

export const createProcessors = (deps: ProcessorDeps): Processors => processorsOf(QUEUES, deps);
