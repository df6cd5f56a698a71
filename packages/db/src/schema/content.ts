import { ContentSources } from '@atrium/contracts';
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, id, instant } from './columns.js';

/**
 * The columns every content type shares. `body` is the source (Markdown, or Contentful rich-text
 * JSON); `body_html` is its sanitized rendering, made once at write or sync time, never per read.
 */
const contentColumns = () => ({
  id: id(),
  slug: text().notNull(),
  title: text().notNull(),
  summary: text(),
  body: text().notNull().default(''),
  bodyHtml: text().notNull().default(''),
  heroImageUrl: text(),
  seoTitle: text(),
  seoDescription: text(),
  published: boolean().notNull().default(false),
  publishedAt: instant(),
  position: integer().notNull().default(0),
  source: text({ enum: ContentSources }).notNull().default('local'),
  /** The Contentful entry this row mirrors (`source = 'contentful'`). */
  contentfulId: text(),
  createdAt: createdAt(),
  updatedAt: instant().notNull().defaultNow(),
});

/** Unique slug and Contentful id per type; the published list's order is its keyset. */
const contentIndexes =
  (name: string) =>
  (t: Record<'slug' | 'contentfulId' | 'published' | 'position' | 'id', AnyPgColumn>) => [
    uniqueIndex(`${name}_slug_unique`).on(t.slug),
    uniqueIndex(`${name}_contentful_id_unique`).on(t.contentfulId),
    index(`${name}_list_idx`).on(t.published, t.position, t.id),
  ];

export const services = pgTable('services', contentColumns(), contentIndexes('services'));

export const caseStudies = pgTable(
  'case_studies',
  {
    ...contentColumns(),
    serviceId: uuid().references(() => services.id, { onDelete: 'set null' }),
    /** Synced case studies: the service's entry, so a service synced later is linked then. */
    serviceContentfulId: text(),
    industry: text(),
  },
  (t) => [...contentIndexes('case_studies')(t), index('case_studies_service_idx').on(t.serviceId)],
);

export const impactStories = pgTable(
  'impact_stories',
  contentColumns(),
  contentIndexes('impact_stories'),
);

export const impactMetrics = pgTable(
  'impact_metrics',
  { ...contentColumns(), value: text(), unit: text() },
  contentIndexes('impact_metrics'),
);

export const teamMembers = pgTable(
  'team_members',
  { ...contentColumns(), role: text() },
  contentIndexes('team_members'),
);

/** Where the Contentful sync resumes: the token of the next page, or of the next delta. */
export const contentSyncState = pgTable('content_sync_state', {
  /** One row per Contentful space and environment. */
  source: text().primaryKey(),
  nextSyncToken: text(),
  /** Set while an initial sync is between pages: the next page's token. */
  nextPageToken: text(),
  lastSyncedAt: instant(),
});

export type ServiceRow = typeof services.$inferSelect;
export type CaseStudyRow = typeof caseStudies.$inferSelect;
export type ImpactMetricRow = typeof impactMetrics.$inferSelect;
export type TeamMemberRow = typeof teamMembers.$inferSelect;
