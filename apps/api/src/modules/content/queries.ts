import type { ContentType } from '@atrium/contracts';
import { caseStudies, type Database, services } from '@atrium/db';
import { and, asc, eq, getTableColumns, gt, or, type SQL } from '@atrium/db/orm';
import { type ContentRow, commonTable } from '@atrium/db/queries';

/** A row with, for case studies, the slug of its service (null for the other types). */
export type ContentRowWithService = ContentRow & { serviceSlug?: string | null };

export interface ListFilter {
  includeDrafts: boolean;
  /** Case studies only: of the service with this slug; of this industry. */
  serviceSlug?: string;
  industry?: string;
  /** The keyset: rows after this (position, id). */
  after?: { position: number; id: string };
}

type Common = ReturnType<typeof commonTable>;

/** Rows of `type` matching `where`, in list order; case studies with their service's slug. */
function select(
  db: Database,
  type: ContentType,
  where: (t: Common) => SQL | undefined,
  limit: number,
): Promise<ContentRowWithService[]> {
  const t = commonTable(type);
  const order = [asc(t.position), asc(t.id)];
  if (type !== 'case-studies') {
    return db
      .select()
      .from(t)
      .where(where(t))
      .orderBy(...order)
      .limit(limit);
  }
  return db
    .select({ ...getTableColumns(caseStudies), serviceSlug: services.slug })
    .from(caseStudies)
    .leftJoin(services, eq(services.id, caseStudies.serviceId))
    .where(where(t))
    .orderBy(...order)
    .limit(limit);
}

/** Up to `limit` + 1 rows (the extra one says "more"), ordered by position then id. */
export function contentPage(db: Database, type: ContentType, filter: ListFilter, limit: number) {
  return select(
    db,
    type,
    (t) =>
      and(
        filter.includeDrafts ? undefined : eq(t.published, true),
        filter.after
          ? or(
              gt(t.position, filter.after.position),
              and(eq(t.position, filter.after.position), gt(t.id, filter.after.id)),
            )
          : undefined,
        filter.serviceSlug !== undefined ? eq(services.slug, filter.serviceSlug) : undefined,
        filter.industry !== undefined ? eq(caseStudies.industry, filter.industry) : undefined,
      ),
    limit + 1,
  );
}

export async function contentBySlug(
  db: Database,
  type: ContentType,
  slug: string,
  includeDrafts: boolean,
) {
  const [row] = await select(
    db,
    type,
    (t) => and(eq(t.slug, slug), includeDrafts ? undefined : eq(t.published, true)),
    1,
  );
  return row;
}

export async function serviceIdBySlug(db: Database, slug: string) {
  const [row] = await db.select({ id: services.id }).from(services).where(eq(services.slug, slug));
  return row?.id;
}

/** The columns a write sets, named one by one; `undefined` leaves a column alone. */
export interface ContentColumns {
  slug?: string;
  title?: string;
  summary?: string | null;
  body?: string;
  bodyHtml?: string;
  heroImageUrl?: string | null;
  seoTitle?: string | null;
  seoDescription?: string | null;
  published?: boolean;
  publishedAt?: Date | null;
  position?: number;
  serviceId?: string | null;
  industry?: string | null;
  value?: string | null;
  unit?: string | null;
  role?: string | null;
}

/** The extras `type` has; other types' extras are never written to its table. */
const EXTRAS: Record<ContentType, (keyof ContentColumns)[]> = {
  services: [],
  'case-studies': ['serviceId', 'industry'],
  'impact-stories': [],
  'impact-metrics': ['value', 'unit'],
  team: ['role'],
};

function columnsOf(type: ContentType, values: ContentColumns) {
  const named = {
    slug: values.slug,
    title: values.title,
    summary: values.summary,
    body: values.body,
    bodyHtml: values.bodyHtml,
    heroImageUrl: values.heroImageUrl,
    seoTitle: values.seoTitle,
    seoDescription: values.seoDescription,
    published: values.published,
    publishedAt: values.publishedAt,
    position: values.position,
  };
  const extras = Object.fromEntries(EXTRAS[type].map((column) => [column, values[column]]));
  return { ...named, ...extras };
}

export async function insertContent(tx: Database, type: ContentType, values: ContentColumns) {
  const t = commonTable(type);
  const [row] = await tx
    .insert(t)
    .values(columnsOf(type, values) as typeof t.$inferInsert)
    .returning({ id: t.id });
  return row!.id;
}

export async function updateContent(
  tx: Database,
  type: ContentType,
  slug: string,
  values: ContentColumns,
) {
  const t = commonTable(type);
  const [row] = await tx
    .update(t)
    .set({ ...columnsOf(type, values), updatedAt: new Date() })
    .where(eq(t.slug, slug))
    .returning({ id: t.id, slug: t.slug });
  return row;
}

export async function deleteContent(tx: Database, type: ContentType, slug: string) {
  const t = commonTable(type);
  const [row] = await tx.delete(t).where(eq(t.slug, slug)).returning({ id: t.id });
  return row !== undefined;
}

/** The row as stored, for a write that must know the current state (locked until commit). */
export async function lockedBySlug(tx: Database, type: ContentType, slug: string) {
  const t = commonTable(type);
  const [row] = await tx.select().from(t).where(eq(t.slug, slug)).for('update');
  return row;
}
