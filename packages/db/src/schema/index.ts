export * from './auth.js';
export * from './orgs.js';
export * from './outbox.js';
