export { EffectInProgress, type EffectKey, once } from './deliveries.js';
export { InProcessDriver } from './drivers/in-process.js';
export { emailJob, enqueueEmail } from './email.js';
export { isPermanent, PermanentJobError, RetryLaterError } from './errors.js';
export { type JobObserver, type JobOutcome, jobDurationHistogram } from './metrics.js';
export {
  announceJobs,
  type EnqueueOptions,
  enqueue,
  OUTBOX_CHANNEL,
  type OutboxJob,
  outboxJob,
  outboxParams,
  outboxValues,
} from './outbox.js';
export {
  processorsOf,
  type QueueDeclaration,
  type QueueDeclarations,
  repeatingJobsOf,
  settingByQueue,
} from './queues.js';
export { OutboxRelay, type RelayOptions } from './relay.js';
export { type RepeatingJob, repeatingKey, startRepeatingTimers } from './repeating.js';
export { pruneDeliveries, pruneOutbox } from './retention.js';
export * from './types.js';
