import { type Static, type TProperties, Type } from 'typebox';
import { Id, Nullable, Page, Timestamp } from './common.js';

/** The website's content types, each at `/<type>` (and `/<type>/{slug}` but for the two lists). */
export const ContentTypes = [
  'services',
  'case-studies',
  'impact-stories',
  'impact-metrics',
  'team',
] as const;
export type ContentType = (typeof ContentTypes)[number];

/** Where content is edited: here through the API, or in Contentful (synced; local writes refused). */
export const ContentSources = ['local', 'contentful'] as const;
export type ContentSource = (typeof ContentSources)[number];

export const Slug = Type.String({
  minLength: 1,
  maxLength: 120,
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'lower-case letters, digits and single hyphens, e.g. `data-engineering`',
});

const Text = (maxLength: number) => Type.String({ maxLength });
const OptionalText = (maxLength: number) => Type.Optional(Nullable(Text(maxLength)));
const HttpUrl = Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' });

const common = {
  id: Id,
  slug: Type.String(),
  title: Type.String(),
  summary: Nullable(Type.String()),
  body: Type.String({ description: 'the source: Markdown, or Contentful rich-text JSON' }),
  bodyHtml: Type.String({ description: 'the body rendered to sanitized HTML, safe to embed' }),
  heroImageUrl: Nullable(Type.String()),
  seoTitle: Nullable(Type.String()),
  seoDescription: Nullable(Type.String()),
  published: Type.Boolean(),
  publishedAt: Nullable(Timestamp),
  position: Type.Integer({ description: 'lists are ordered by position, then creation' }),
  source: Type.Enum(ContentSources),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

// A response: open, so a field added later does not fail an older client's check (see README).
const item = <P extends TProperties>(extra: P) => Type.Object({ ...common, ...extra });

export const Service = item({});
export type Service = Static<typeof Service>;
export const CaseStudy = item({
  serviceSlug: Nullable(Type.String({ description: 'the service this case study is about' })),
  industry: Nullable(Type.String()),
});
export type CaseStudy = Static<typeof CaseStudy>;
export const ImpactStory = item({});
export type ImpactStory = Static<typeof ImpactStory>;
export const ImpactMetric = item({
  value: Nullable(Type.String({ description: 'the figure as displayed, e.g. `98%`' })),
  unit: Nullable(Type.String()),
});
export type ImpactMetric = Static<typeof ImpactMetric>;
export const TeamMember = item({ role: Nullable(Type.String()) });
export type TeamMember = Static<typeof TeamMember>;

/** Every content item: the common fields, plus the extras of its type. */
export type ContentItem = Service & Partial<CaseStudy & ImpactMetric & TeamMember>;

export const ContentItems = {
  services: Service,
  'case-studies': CaseStudy,
  'impact-stories': ImpactStory,
  'impact-metrics': ImpactMetric,
  team: TeamMember,
} as const;

export const ContentPages = {
  services: Page(Service),
  'case-studies': Page(CaseStudy),
  'impact-stories': Page(ImpactStory),
  'impact-metrics': Page(ImpactMetric),
  team: Page(TeamMember),
} as const;

const writable = {
  slug: Slug,
  title: Type.String({ minLength: 1, maxLength: 200 }),
  summary: OptionalText(1000),
  body: Type.Optional(Type.String({ maxLength: 100_000, description: 'Markdown' })),
  heroImageUrl: Type.Optional(Nullable(HttpUrl)),
  seoTitle: OptionalText(200),
  seoDescription: OptionalText(500),
  published: Type.Optional(Type.Boolean()),
  position: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
};

const extras = {
  services: {},
  'case-studies': {
    serviceSlug: Type.Optional(Nullable(Slug)),
    industry: OptionalText(120),
  },
  'impact-stories': {},
  'impact-metrics': { value: OptionalText(60), unit: OptionalText(60) },
  team: { role: OptionalText(120) },
} as const;

const create = <P extends TProperties>(extra: P) =>
  Type.Object({ ...writable, ...extra }, { additionalProperties: false });
const update = <P extends TProperties>(extra: P) =>
  Type.Partial(Type.Object({ ...writable, ...extra }), {
    additionalProperties: false,
    minProperties: 1,
  });

export const CreateContentRequests = {
  services: create(extras.services),
  'case-studies': create(extras['case-studies']),
  'impact-stories': create(extras['impact-stories']),
  'impact-metrics': create(extras['impact-metrics']),
  team: create(extras.team),
} as const;

export const UpdateContentRequests = {
  services: update(extras.services),
  'case-studies': update(extras['case-studies']),
  'impact-stories': update(extras['impact-stories']),
  'impact-metrics': update(extras['impact-metrics']),
  team: update(extras.team),
} as const;

/** What a write may set, whatever the type (the route's schema has already narrowed it). */
export type ContentWrite = Partial<
  Static<(typeof CreateContentRequests)['case-studies']> &
    Static<(typeof CreateContentRequests)['impact-metrics']> &
    Static<(typeof CreateContentRequests)['team']>
>;

const preview = Type.Optional(
  Type.Boolean({
    description:
      'include drafts (needs `content:write`; the answer is then `Cache-Control: private, no-store`)',
  }),
);

export const ContentListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    preview,
  },
  { additionalProperties: false },
);
export type ContentListQuery = Static<typeof ContentListQuery>;

export const CaseStudyListQuery = Type.Object(
  {
    ...ContentListQuery.properties,
    service: Type.Optional(Slug),
    industry: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
  },
  { additionalProperties: false },
);
export type CaseStudyListQuery = Static<typeof CaseStudyListQuery>;

export const ContentItemQuery = Type.Object({ preview }, { additionalProperties: false });
export type ContentItemQuery = Static<typeof ContentItemQuery>;

export const SlugParams = Type.Object(
  { slug: Type.String({ minLength: 1, maxLength: 120 }) },
  { additionalProperties: false },
);
export type SlugParams = Static<typeof SlugParams>;

/**
 * An entry synced from a CMS, as the columns of its table (the content type's extras included):
 * what the Contentful client produces and the content queries store. Not part of the HTTP API.
 */
export interface SyncedContentEntry {
  type: ContentType;
  contentfulId: string;
  slug: string;
  title: string;
  summary: string | null;
  body: string;
  bodyHtml: string;
  heroImageUrl: string | null;
  seoTitle: string | null;
  seoDescription: string | null;
  position: number;
  publishedAt: Date;
  /** A case study's service, by Contentful entry id. */
  serviceContentfulId?: string | null;
  industry?: string | null;
  value?: string | null;
  unit?: string | null;
  role?: string | null;
}
