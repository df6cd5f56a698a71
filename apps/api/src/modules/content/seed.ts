import { caseStudies, type Database, impactMetrics, services, teamMembers } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { renderMarkdown } from '@atrium/integrations/cms';

const markdown = (text: string) => ({ body: text, bodyHtml: renderMarkdown(text) });
const published = (position: number) => ({ published: true, publishedAt: new Date(), position });

/**
 * A few published items of each kind for `pnpm db:seed`, so a website has something to show. Slugs
 * already present are left alone (safe to run again; edited items are not overwritten).
 */
export async function seedContent(db: Database) {
  await db
    .insert(services)
    .values([
      {
        slug: 'data-engineering',
        title: 'Data engineering',
        summary: 'Pipelines that deliver clean data on time.',
        ...markdown('We design, build and run **data pipelines** for analytics and operations.'),
        ...published(1),
      },
      {
        slug: 'analytics',
        title: 'Analytics',
        summary: 'Dashboards and models your teams use.',
        ...markdown('From KPIs to forecasting: *answers*, not just charts.'),
        ...published(2),
      },
    ])
    .onConflictDoNothing();
  const [service] = await db
    .select({ id: services.id })
    .from(services)
    .where(eq(services.slug, 'data-engineering'));
  await db
    .insert(caseStudies)
    .values({
      slug: 'retail-demand-forecasting',
      title: 'Demand forecasting for a retailer',
      summary: 'Stock-outs down by a third in six months.',
      ...markdown('A national retailer replaced spreadsheets with a **daily forecast**.'),
      serviceId: service?.id ?? null,
      industry: 'retail',
      ...published(1),
    })
    .onConflictDoNothing();
  await db
    .insert(impactMetrics)
    .values([
      { slug: 'projects', title: 'Projects delivered', value: '120', unit: null, ...published(1) },
      { slug: 'uptime', title: 'Pipeline uptime', value: '99.9', unit: '%', ...published(2) },
    ])
    .onConflictDoNothing();
  await db
    .insert(teamMembers)
    .values({
      slug: 'ada-lovelace',
      title: 'Ada Lovelace',
      role: 'Head of engineering',
      ...markdown('Ada leads our engineering teams.'),
      ...published(1),
    })
    .onConflictDoNothing();
}
