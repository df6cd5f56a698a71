export type { LiveEvent, LiveEventType, StreamEndReason } from '@atrium/contracts';
export {
  API_BASE_PATH,
  type AtriumClient,
  type AtriumClientOptions,
  createAtriumClient,
} from './client.js';
export type { EventStreamOptions } from './events.js';
export { isProblem, ProblemError } from './problem.js';
export type { Fetch } from './session.js';
export { memoryTokenStore, type TokenStore, type Tokens } from './tokens.js';
export type { ItemOf, ListPath, ProblemOf, paths } from './types.js';
