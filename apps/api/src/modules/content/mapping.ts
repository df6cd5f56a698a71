import type { ContentItem, ContentType } from '@atrium/contracts';
import type { ContentRowWithService } from './queries.js';

/**
 * A row as its type's contract: exactly the fields of that type, in a fixed order (cached bodies
 * are serialized with JSON.stringify, so nothing the schema would drop may be present).
 */
export function toContentItem(type: ContentType, row: ContentRowWithService): ContentItem {
  const item: ContentItem = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    summary: row.summary,
    body: row.body,
    bodyHtml: row.bodyHtml,
    heroImageUrl: row.heroImageUrl,
    seoTitle: row.seoTitle,
    seoDescription: row.seoDescription,
    published: row.published,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    position: row.position,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
  switch (type) {
    case 'case-studies':
      return { ...item, serviceSlug: row.serviceSlug ?? null, industry: row.industry ?? null };
    case 'impact-metrics':
      return { ...item, value: row.value ?? null, unit: row.unit ?? null };
    case 'team':
      return { ...item, role: row.role ?? null };
    default:
      return item;
  }
}
