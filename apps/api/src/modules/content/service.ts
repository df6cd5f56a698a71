import type {
  CaseStudyListQuery,
  ContentItem,
  ContentType,
  ContentWrite,
  PageOf,
} from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { type CachedResponse, type ContentCache, renderMarkdown } from '@atrium/integrations/cms';
import { BadRequest, Conflict, NotFound } from '../../errors.js';
import { decodeCursor, encodeCursor, invalidCursor, isUuid, toPage } from '../../pagination.js';
import { toContentItem } from './mapping.js';
import {
  type ContentColumns,
  type ContentRowWithService,
  contentBySlug,
  contentPage,
  deleteContent,
  insertContent,
  lockedBySlug,
  serviceIdBySlug,
  updateContent,
} from './queries.js';

export interface ContentContext {
  db: Database;
  cache: ContentCache;
  /** Contentful is the source of content: local writes are refused. */
  contentfulIsSource: boolean;
}

/** Every list's query; only case studies have `service` and `industry`. */
export type ListQuery = Omit<CaseStudyListQuery, 'preview'>;

const NAMES: Record<ContentType, string> = {
  services: 'service',
  'case-studies': 'case study',
  'impact-stories': 'impact story',
  'impact-metrics': 'impact metric',
  team: 'team member',
};

function afterCursor(cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  const [position, id] = decodeCursor(cursor, ['number', 'string']);
  if (!isUuid(id)) throw invalidCursor();
  return { position, id };
}

/** A page of `type`, published items only unless `includeDrafts` (a preview). */
export async function listContent(
  db: Database,
  type: ContentType,
  query: ListQuery,
  includeDrafts: boolean,
): Promise<PageOf<ContentItem>> {
  const limit = query.limit ?? 50;
  const rows = await contentPage(
    db,
    type,
    {
      includeDrafts,
      serviceSlug: query.service,
      industry: query.industry,
      after: afterCursor(query.cursor),
    },
    limit,
  );
  return toPage(
    rows,
    limit,
    (row) => toContentItem(type, row),
    (row: ContentRowWithService) => encodeCursor([row.position, row.id]),
  );
}

export async function getContent(
  db: Database,
  type: ContentType,
  slug: string,
  includeDrafts: boolean,
) {
  const row = await contentBySlug(db, type, slug, includeDrafts);
  if (!row) throw new NotFound(NAMES[type]);
  return toContentItem(type, row);
}

/** The public list, from the cache (rendered once per content generation). */
export function cachedList(context: ContentContext, type: ContentType, query: ListQuery) {
  const key = ['list', type, query.limit ?? '', query.cursor, query.service, query.industry]
    .map((part) => encodeURIComponent(part ?? ''))
    .join(':');
  return context.cache.get(key, async () =>
    JSON.stringify(await listContent(context.db, type, query, false)),
  );
}

/** The public item, from the cache; a missing slug is a 404 (and is not cached). */
export function cachedItem(
  context: ContentContext,
  type: ContentType,
  slug: string,
): Promise<CachedResponse> {
  return context.cache.get(`item:${type}:${encodeURIComponent(slug)}`, async () =>
    JSON.stringify(await getContent(context.db, type, slug, false)),
  );
}

function assertLocalSource(context: ContentContext) {
  if (context.contentfulIsSource) {
    throw new Conflict(
      'Content is managed in Contentful here (CMS=contentful): edit it there; the next sync brings the change.',
    );
  }
}

/** The columns `input` sets: the body rendered once, the service found by its slug. */
async function columnsFor(
  tx: Database,
  input: ContentWrite,
  publishedBefore: boolean,
): Promise<ContentColumns> {
  let serviceId: string | null | undefined;
  if (input.serviceSlug) {
    serviceId = await serviceIdBySlug(tx, input.serviceSlug);
    if (!serviceId) {
      throw new BadRequest(`There is no service with the slug "${input.serviceSlug}".`, [
        { path: '/body/serviceSlug', message: 'names no service' },
      ]);
    }
  } else if (input.serviceSlug === null) serviceId = null;
  const publishing = input.published === true && !publishedBefore;
  return {
    slug: input.slug,
    title: input.title,
    summary: input.summary,
    body: input.body,
    bodyHtml: input.body === undefined ? undefined : renderMarkdown(input.body),
    heroImageUrl: input.heroImageUrl,
    seoTitle: input.seoTitle,
    seoDescription: input.seoDescription,
    published: input.published,
    publishedAt: publishing ? new Date() : input.published === false ? null : undefined,
    position: input.position,
    serviceId,
    industry: input.industry,
    value: input.value,
    unit: input.unit,
    role: input.role,
  };
}

async function assertSlugFree(tx: Database, type: ContentType, slug: string) {
  if (await contentBySlug(tx, type, slug, true)) {
    throw new Conflict(`A ${NAMES[type]} with the slug "${slug}" already exists.`);
  }
}

export async function createContent(
  context: ContentContext,
  type: ContentType,
  input: ContentWrite & { slug: string; title: string },
) {
  assertLocalSource(context);
  await context.db.transaction(async (tx) => {
    await assertSlugFree(tx, type, input.slug);
    await insertContent(tx, type, await columnsFor(tx, input, false));
  });
  await context.cache.invalidate();
  return getContent(context.db, type, input.slug, true);
}

export async function patchContent(
  context: ContentContext,
  type: ContentType,
  slug: string,
  input: ContentWrite,
) {
  assertLocalSource(context);
  const newSlug = await context.db.transaction(async (tx) => {
    const current = await lockedBySlug(tx, type, slug);
    if (!current) throw new NotFound(NAMES[type]);
    if (input.slug !== undefined && input.slug !== slug) await assertSlugFree(tx, type, input.slug);
    const updated = await updateContent(
      tx,
      type,
      slug,
      await columnsFor(tx, input, current.published),
    );
    return updated!.slug;
  });
  await context.cache.invalidate();
  return getContent(context.db, type, newSlug, true);
}

export async function removeContent(context: ContentContext, type: ContentType, slug: string) {
  assertLocalSource(context);
  const removed = await deleteContent(context.db, type, slug);
  if (!removed) throw new NotFound(NAMES[type]);
  await context.cache.invalidate();
}
