import type { EmailData, EmailTemplate } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { type EnqueueOptions, enqueue, type OutboxJob, outboxJob } from './outbox.js';

/** Queues one email in the caller's transaction, its data typed by the template it fills. */
export function enqueueEmail<T extends EmailTemplate>(
  tx: Database,
  to: string,
  template: T,
  data: EmailData<T>,
  options: EnqueueOptions,
): Promise<void> {
  return enqueue(tx, 'email', { to, template, data }, options);
}

/** The same email as a job to write in a statement of the caller's own (see `outboxValues`). */
export function emailJob<T extends EmailTemplate>(
  to: string,
  template: T,
  data: EmailData<T>,
  options: EnqueueOptions,
): OutboxJob {
  return outboxJob('email', { to, template, data }, options);
}
