export {
  bumpContentGeneration,
  type CachedResponse,
  ContentCache,
  type ContentCacheOptions,
  contentGeneration,
  entityTag,
} from './cache.js';
export {
  CONTENTFUL_TYPES,
  type ContentfulEntry,
  type ContentfulOptions,
  type ContentfulRow,
  type ContentfulSync,
  contentfulSync,
  type SyncCursor,
  type SyncPage,
  toContentfulRow,
} from './contentful.js';
export { renderMarkdown, renderRichText, sanitize } from './render.js';
