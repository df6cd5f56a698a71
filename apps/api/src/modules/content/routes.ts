import {
  CaseStudyListQuery,
  ContentItemQuery,
  ContentItems,
  ContentListQuery,
  ContentPages,
  type ContentType,
  ContentTypes,
  type ContentWrite,
  CreateContentRequests,
  NoContent,
  PROBLEM_CONTENT_TYPE,
  Problem,
  SlugParams,
  UpdateContentRequests,
} from '@atrium/contracts';
import { type CachedResponse, ContentCache } from '@atrium/integrations/cms';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  type ContentContext,
  cachedItem,
  cachedList,
  createContent,
  getContent,
  type ListQuery,
  listContent,
  patchContent,
  removeContent,
} from './service.js';

const writer = { permission: 'content:write' } as const;
const LABELS: Record<ContentType, [one: string, many: string]> = {
  services: ['service', 'services'],
  'case-studies': ['case study', 'case studies'],
  'impact-stories': ['impact story', 'impact stories'],
  'impact-metrics': ['impact metric', 'impact metrics'],
  team: ['team member', 'team members'],
};
const NotModified = Type.Null({ description: 'Not modified: the `If-None-Match` tag is current' });
const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } },
});
const previewProblems = {
  401: problem('`preview=true` without a valid access token'),
  403: problem('`preview=true` without the `content:write` permission'),
};
/** Public, or with a token for `preview=true` (drafts). */
const publicOrPreview: Record<string, string[]>[] = [{}, { bearerAuth: [] }];
const ContentfulConflict = problem(
  'A slug that is taken, or content managed in Contentful (`CMS=contentful`)',
);

/** `If-None-Match` holds `etag` (or `*`); weak comparison, as RFC 9110 asks for GET. */
function isCurrent(header: string | undefined, etag: string) {
  if (!header) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

export const contentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { maxAgeSeconds, staleWhileRevalidateSeconds, contentful } = app.config.content;
  const cache = new ContentCache({
    redis: app.redis,
    prefix: app.config.queuePrefix,
    ttlSeconds: 3600,
    onError: (err) => app.log.warn({ err }, 'content cache: Redis unavailable, reading through'),
  });
  app.addHook('onClose', () => cache.close());
  const context: ContentContext = { db: app.db, cache, contentfulIsSource: Boolean(contentful) };
  const publicCaching = `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${staleWhileRevalidateSeconds}`;
  const previewGuard = app.requireAuth({ permission: 'content:write' });

  /** Drafts only for `content:write` holders, and never into a shared cache. */
  async function preview(request: FastifyRequest, reply: FastifyReply) {
    if ((request.query as { preview?: boolean }).preview) await previewGuard(request, reply);
  }

  function sendCached(request: FastifyRequest, reply: FastifyReply, cached: CachedResponse) {
    reply.header('etag', cached.etag).header('cache-control', publicCaching);
    if (isCurrent(request.headers['if-none-match'], cached.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(cached.body);
  }

  const sendPreview = <T>(reply: FastifyReply, body: T) => {
    reply.header('cache-control', 'private, no-store');
    return body;
  };

  for (const type of ContentTypes) {
    const [one, many] = LABELS[type];
    const tags = ['content'];
    const path = `/${type}`;
    // `case-studies` → `content.caseStudies.list`
    const id = (action: string) =>
      `content.${type.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}.${action}`;

    app.get(
      path,
      {
        preHandler: preview,
        schema: {
          operationId: id('list'),
          tags,
          summary: `Published ${many}, in display order`,
          description:
            'Public; `ETag` and `If-None-Match` (304), `Cache-Control: public`. Keyset pages by `cursor`.',
          querystring: type === 'case-studies' ? CaseStudyListQuery : ContentListQuery,
          security: publicOrPreview,
          response: { 200: ContentPages[type], 304: NotModified, ...previewProblems },
        },
      },
      async (request, reply) => {
        const { preview: drafts, ...query } = request.query as ListQuery & { preview?: boolean };
        if (drafts) return sendPreview(reply, await listContent(app.db, type, query, true));
        return sendCached(request, reply, await cachedList(context, type, query));
      },
    );

    app.get(
      `${path}/:slug`,
      {
        preHandler: preview,
        schema: {
          operationId: id('get'),
          tags,
          summary: `One published ${one}`,
          description:
            'Public; `ETag` and `If-None-Match` (304). With `preview=true` and a `content:write` token, drafts too.',
          params: SlugParams,
          querystring: ContentItemQuery,
          security: publicOrPreview,
          response: { 200: ContentItems[type], 304: NotModified, ...previewProblems },
        },
      },
      async (request, reply) => {
        const { slug } = request.params;
        if (request.query.preview) {
          return sendPreview(reply, await getContent(app.db, type, slug, true));
        }
        return sendCached(request, reply, await cachedItem(context, type, slug));
      },
    );

    app.post(
      path,
      {
        config: writer,
        schema: {
          operationId: id('create'),
          tags,
          summary: `Create a ${one} (a draft unless \`published\`)`,
          body: CreateContentRequests[type],
          response: { 201: ContentItems[type], 409: ContentfulConflict },
        },
      },
      async (request, reply) => {
        const input = request.body as ContentWrite & { slug: string; title: string };
        return reply.status(201).send(await createContent(context, type, input));
      },
    );

    app.patch(
      `${path}/:slug`,
      {
        config: writer,
        schema: {
          operationId: id('update'),
          tags,
          summary: `Change a ${one}`,
          params: SlugParams,
          body: UpdateContentRequests[type],
          response: { 200: ContentItems[type], 409: ContentfulConflict },
        },
      },
      async (request) =>
        patchContent(context, type, request.params.slug, request.body as ContentWrite),
    );

    app.delete(
      `${path}/:slug`,
      {
        config: writer,
        schema: {
          operationId: id('delete'),
          tags,
          summary: `Delete a ${one}`,
          params: SlugParams,
          response: { 204: NoContent, 409: ContentfulConflict },
        },
      },
      async (request, reply) => {
        await removeContent(context, type, request.params.slug);
        return reply.status(204).send(null);
      },
    );
  }
};
