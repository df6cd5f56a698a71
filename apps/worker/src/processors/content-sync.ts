import type { Config } from '@atrium/config';
import type { Database } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import {
  contentSyncCursor,
  deleteContentfulEntries,
  linkSyncedCaseStudies,
  saveContentSyncCursor,
  upsertContentfulEntry,
} from '@atrium/db/queries';
import {
  bumpContentGeneration,
  type ContentfulSync,
  contentfulSync,
  type SyncCursor,
  type SyncPage,
  toContentfulRow,
} from '@atrium/integrations/cms';
import type { Processor } from '@atrium/jobs';
import { permanentWhenRefused } from './refusals.js';

export interface ContentSyncDeps {
  db: Database;
  contentful?: Config['content']['contentful'];
  /** Marks the cached content responses stale (every API instance); this process's by default. */
  contentChanged?: () => Promise<unknown>;
  /** Replaces the SDK client (unused in tests, which point CONTENTFUL_HOST at a local server). */
  contentfulClient?: ContentfulSync;
}

/** How many pages one job applies at most; the next run goes on from the stored token. */
const MAX_PAGES = 1000;

/**
 * Contentful's Sync API into the content tables: the initial sync on the first run, then a delta
 * from the stored `nextSyncToken` (updates and deletions). Each page is applied in one
 * transaction with the token of the page after it, so a crash resumes where it stopped and a
 * page applied twice changes nothing. The cache is invalidated once anything changed.
 */
export const syncContent = (deps: ContentSyncDeps): Processor<'content-sync'> => {
  const { contentful } = deps;
  const client = contentful && (deps.contentfulClient ?? contentfulSync(contentful));
  return async (_payload, ctx) => {
    if (!contentful || !client) {
      ctx.log.info({ jobId: ctx.jobId }, 'content sync skipped: CMS is not contentful');
      return;
    }
    const source = `${contentful.spaceId}/${contentful.environment}`;
    let changed = 0;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const cursor = toCursor(await contentSyncCursor(deps.db, source));
      const page = await permanentWhenRefused(() => client.page(cursor));
      const applied = await applyPage(deps.db, source, cursor, page, contentful.locale);
      changed += applied;
      if ('nextSyncToken' in page.next) break;
    }
    if (changed > 0) await (deps.contentChanged ?? (() => bumpContentGeneration(undefined, '')))();
    ctx.log.info({ jobId: ctx.jobId, changed }, 'content sync done');
  };
};

function toCursor(state: Awaited<ReturnType<typeof contentSyncCursor>>): SyncCursor {
  if (state?.nextPageToken) return { nextPageToken: state.nextPageToken };
  if (state?.nextSyncToken) return { nextSyncToken: state.nextSyncToken };
  return { initial: true };
}

const sameCursor = (a: SyncCursor, b: SyncCursor) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One page and its next token, in one transaction. Two runs at once (a scheduled one and a
 * retry) are serialized by an advisory lock; the second finds the token moved on and applies
 * nothing.
 */
async function applyPage(
  db: Database,
  source: string,
  cursor: SyncCursor,
  page: SyncPage,
  locale: string,
) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`content-sync:${source}`}))`);
    if (!sameCursor(toCursor(await contentSyncCursor(tx, source)), cursor)) return 0;
    const rows = page.entries.flatMap((entry) => toContentfulRow(entry, locale) ?? []);
    // Services first: a case study on the same page links to its service at once.
    rows.sort((a, b) => Number(b.type === 'services') - Number(a.type === 'services'));
    for (const row of rows) await upsertContentfulEntry(tx, row.type, row);
    await linkSyncedCaseStudies(tx);
    const removed = await deleteContentfulEntries(tx, page.deletedEntryIds);
    await saveContentSyncCursor(tx, source, page.next);
    return rows.length + removed;
  });
}
