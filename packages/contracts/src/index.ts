export * from './common.js';
export * from './emails.js';
export * from './health.js';
export * from './jobs.js';
export * from './problem.js';
