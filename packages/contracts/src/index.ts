export * from './auth.js';
export * from './common.js';
export * from './health.js';
export * from './jobs.js';
export * from './permissions.js';
export * from './problem.js';
export * from './roles.js';
export * from './users.js';
