export * from './deliveries.js';
export * from './outbox.js';
