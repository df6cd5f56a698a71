export { EffectInProgress, type EffectKey, once } from './deliveries.js';
export { InProcessDriver } from './drivers/in-process.js';
export { isPermanent, PermanentJobError, RetryLaterError } from './errors.js';
export { type JobObserver, type JobOutcome, jobDurationHistogram } from './metrics.js';
export { type EnqueueOptions, enqueue, OUTBOX_CHANNEL } from './outbox.js';
export { OutboxRelay, type RelayOptions } from './relay.js';
export * from './types.js';
