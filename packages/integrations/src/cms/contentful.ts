import type { ContentType, SyncedContentEntry } from '@atrium/contracts';
import type { Document } from '@contentful/rich-text-types';
import { createClient } from 'contentful';
import { IntegrationError } from '../errors.js';
import { renderMarkdown, renderRichText } from './render.js';

export interface ContentfulOptions {
  spaceId: string;
  environment: string;
  accessToken: string;
  /** `cdn.contentful.com` by default; `http://host:port` for a local server speaking its API. */
  host: string;
  /** The locale whose field values are stored (sync returns every locale). */
  locale: string;
}

/** Where a sync resumes: from the start, mid-way through the initial pages, or at the delta. */
export type SyncCursor = { initial: true } | { nextPageToken: string } | { nextSyncToken: string };

/** One page of the Sync API: what changed, and the cursor of the next page or the next delta. */
export interface SyncPage {
  entries: ContentfulEntry[];
  deletedEntryIds: string[];
  next: { nextPageToken: string } | { nextSyncToken: string };
}

export interface ContentfulEntry {
  sys: { id: string; type: string; createdAt?: string; contentType?: { sys: { id: string } } };
  fields: Record<string, Record<string, unknown> | undefined>;
}

export interface ContentfulSync {
  /** One page from `cursor`. 429s wait what `X-Contentful-RateLimit-Reset` says (the SDK). */
  page(cursor: SyncCursor): Promise<SyncPage>;
}

/**
 * The Sync API through the official SDK, one page per call (`paginate: false`) so the caller can
 * commit each page with its token. Links are not resolved: a delta page cannot resolve them, and
 * a case study's service is found by its entry id.
 */
export function contentfulSync(options: ContentfulOptions): ContentfulSync {
  const url = /^https?:\/\//.test(options.host) ? new URL(options.host) : undefined;
  const client = createClient({
    space: options.spaceId,
    environment: options.environment,
    accessToken: options.accessToken,
    host: url ? url.host : options.host,
    insecure: url?.protocol === 'http:',
    retryLimit: 5,
    // The SDK logs to the console by default; its warnings (a 429 wait) are not errors here.
    logHandler: () => {},
  });
  return {
    async page(cursor) {
      let response: {
        entries: ContentfulEntry[];
        deletedEntries: { sys: { id: string } }[];
        nextPageToken?: string;
        nextSyncToken?: string;
      };
      try {
        response = (await client.withoutLinkResolution.sync(cursor, {
          paginate: false,
        })) as unknown as typeof response;
      } catch (err) {
        throw syncError(err);
      }
      const next = response.nextPageToken
        ? { nextPageToken: response.nextPageToken }
        : response.nextSyncToken
          ? { nextSyncToken: response.nextSyncToken }
          : undefined;
      if (!next) throw new IntegrationError('Contentful sync: a page with no next token', true);
      return {
        entries: response.entries,
        deletedEntryIds: response.deletedEntries.map((e) => e.sys.id),
        next,
      };
    },
  };
}

/**
 * 401/403/404 (a bad token, space or environment) will not pass on retry; anything else may. The
 * SDK's error is not kept as the cause: its message is the request, headers included, and logs
 * print causes.
 */
function syncError(err: unknown) {
  const status = (err as { status?: number }).status;
  const message = `Contentful sync failed${status ? ` (HTTP ${status})` : ''}`;
  return new IntegrationError(message, status === 401 || status === 403 || status === 404);
}

/** Contentful content type ids → the table each maps to. */
export const CONTENTFUL_TYPES: Record<string, ContentType> = {
  service: 'services',
  caseStudy: 'case-studies',
  impactStory: 'impact-stories',
  impactMetric: 'impact-metrics',
  teamMember: 'team',
};

/** A Contentful entry as the columns of its table (the content type's extras included). */
export type ContentfulRow = SyncedContentEntry;

/**
 * Maps an entry of a known content type; undefined for other types and for entries missing a
 * slug or title (Contentful may publish entries whose fields are optional there).
 */
export function toContentfulRow(entry: ContentfulEntry, locale: string): ContentfulRow | undefined {
  const type = CONTENTFUL_TYPES[entry.sys.contentType?.sys.id ?? ''];
  if (!type) return undefined;
  const field = (name: string) => {
    const values = entry.fields[name];
    return values ? (values[locale] ?? Object.values(values)[0]) : undefined;
  };
  const text = (name: string) => {
    const value = field(name);
    return typeof value === 'string' ? value : value === undefined ? null : String(value);
  };
  const slug = text('slug');
  const title = text('title') ?? text('name');
  if (!slug || !title) return undefined;
  const body = field('body');
  const rich = typeof body === 'object' && body !== null && 'nodeType' in body;
  const service = field('service') as { sys?: { id?: string } } | undefined;
  const position = Number(field('order') ?? field('position') ?? 0);
  return {
    type,
    contentfulId: entry.sys.id,
    slug,
    title,
    summary: text('summary'),
    body: rich ? JSON.stringify(body) : typeof body === 'string' ? body : '',
    bodyHtml: rich
      ? renderRichText(body as Document)
      : renderMarkdown(typeof body === 'string' ? body : ''),
    heroImageUrl: text('heroImageUrl'),
    seoTitle: text('seoTitle'),
    seoDescription: text('seoDescription'),
    position: Number.isInteger(position) ? position : 0,
    publishedAt: new Date(entry.sys.createdAt ?? Date.now()),
    serviceContentfulId: service?.sys?.id ?? null,
    industry: text('industry'),
    value: text('value'),
    unit: text('unit'),
    role: text('role'),
  };
}
