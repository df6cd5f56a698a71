import type { ContentType, SyncedContentEntry } from '@atrium/contracts';
import { and, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  caseStudies,
  contentSyncState,
  impactMetrics,
  impactStories,
  type ServiceRow,
  services,
  teamMembers,
} from '../schema/index.js';

/** The table of each content type. */
export const contentTables = {
  services,
  'case-studies': caseStudies,
  'impact-stories': impactStories,
  'impact-metrics': impactMetrics,
  team: teamMembers,
} as const;

/**
 * Any content table seen through the columns all five share (the extras are read by name where a
 * type has them). Drizzle has no type for "a table with at least these columns".
 */
export const commonTable = (type: ContentType) => contentTables[type] as unknown as typeof services;

/** A row of any content table: the common columns, and the extras its type has. */
export type ContentRow = ServiceRow & {
  serviceId?: string | null;
  industry?: string | null;
  value?: string | null;
  unit?: string | null;
  role?: string | null;
};

/** A Contentful entry's columns, as the sync maps it (its type is given apart). */
export type ContentfulValues = Omit<SyncedContentEntry, 'type'>;

/**
 * Creates or updates the row mirroring a Contentful entry (matched by entry id). A local row with
 * the same slug is taken over: Contentful is the source now.
 */
export async function upsertContentfulEntry(
  tx: Database,
  type: ContentType,
  entry: ContentfulValues,
) {
  const table = commonTable(type);
  const common = {
    slug: entry.slug,
    title: entry.title,
    summary: entry.summary,
    body: entry.body,
    bodyHtml: entry.bodyHtml,
    heroImageUrl: entry.heroImageUrl,
    seoTitle: entry.seoTitle,
    seoDescription: entry.seoDescription,
    published: true,
    publishedAt: entry.publishedAt,
    position: entry.position,
    source: 'contentful' as const,
    contentfulId: entry.contentfulId,
    updatedAt: new Date(),
  };
  const extra = await extrasOf(tx, type, entry);
  // A row with this entry id or this slug is the same item; remove a different row holding the
  // slug first (an entry renamed to a slug another, deleted-locally item held).
  await tx
    .delete(table)
    .where(
      and(
        eq(table.slug, entry.slug),
        or(isNull(table.contentfulId), ne(table.contentfulId, entry.contentfulId)),
      ),
    );
  await tx
    .insert(table)
    .values({ ...common, ...extra } as typeof table.$inferInsert)
    .onConflictDoUpdate({ target: table.contentfulId, set: { ...common, ...extra } });
}

async function extrasOf(tx: Database, type: ContentType, entry: ContentfulValues) {
  switch (type) {
    case 'case-studies': {
      const [service] = entry.serviceContentfulId
        ? await tx
            .select({ id: services.id })
            .from(services)
            .where(eq(services.contentfulId, entry.serviceContentfulId))
        : [];
      return {
        serviceId: service?.id ?? null,
        serviceContentfulId: entry.serviceContentfulId ?? null,
        industry: entry.industry ?? null,
      };
    }
    case 'impact-metrics':
      return { value: entry.value ?? null, unit: entry.unit ?? null };
    case 'team':
      return { role: entry.role ?? null };
    default:
      return {};
  }
}

/**
 * Links synced case studies to services that arrived after them (a later page, or a delta): the
 * case study names its service's entry id until that service exists here.
 */
export async function linkSyncedCaseStudies(tx: Database) {
  await tx.execute(sql`
    update ${caseStudies} set service_id = ${services.id}
    from ${services}
    where ${services.contentfulId} = ${caseStudies.serviceContentfulId}
      and ${caseStudies.serviceId} is distinct from ${services.id}`);
}

/** Removes the rows mirroring deleted Contentful entries, whatever their type. */
export async function deleteContentfulEntries(tx: Database, contentfulIds: string[]) {
  if (contentfulIds.length === 0) return 0;
  let removed = 0;
  for (const table of Object.values(contentTables)) {
    const t = table as unknown as typeof services;
    const rows = await tx
      .delete(t)
      .where(inArray(t.contentfulId, contentfulIds))
      .returning({ id: t.id });
    removed += rows.length;
  }
  return removed;
}

export async function contentSyncCursor(db: Database, source: string) {
  const [row] = await db.select().from(contentSyncState).where(eq(contentSyncState.source, source));
  return row;
}

/** Stores where the next sync resumes (in the transaction that applied the page). */
export async function saveContentSyncCursor(
  tx: Database,
  source: string,
  next: { nextPageToken?: string; nextSyncToken?: string },
) {
  const values = {
    nextPageToken: next.nextPageToken ?? null,
    nextSyncToken: next.nextSyncToken ?? null,
    lastSyncedAt: new Date(),
  };
  await tx
    .insert(contentSyncState)
    .values({ source, ...values })
    .onConflictDoUpdate({ target: contentSyncState.source, set: values });
}
