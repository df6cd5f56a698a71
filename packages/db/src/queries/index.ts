// Queries more than one module (or the worker) needs, one file per feature (midday's layout).
// A query used by one module alone stays in that module's queries.ts.
export * from './age.js';
export * from './audit.js';
export * from './auth.js';
export * from './content.js';
export * from './forms.js';
export * from './interactions.js';
export * from './leads.js';
export * from './orgs.js';
export * from './roles.js';
export * from './uploads.js';
export * from './users.js';
