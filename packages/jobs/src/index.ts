export { InProcessDriver } from './drivers/in-process.js';
export { type EnqueueOptions, enqueue, OUTBOX_CHANNEL } from './outbox.js';
export { OutboxRelay, type RelayOptions } from './relay.js';
export * from './types.js';
