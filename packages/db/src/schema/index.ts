export * from './auth.js';
export * from './deliveries.js';
export * from './interactions.js';
export * from './leads.js';
export * from './messages.js';
export * from './orgs.js';
export * from './outbox.js';
export * from './uploads.js';
