export { createProcessors } from './processors/index.js';
export { type RunningWorker, startWorker, type WorkerOptions } from './worker.js';
