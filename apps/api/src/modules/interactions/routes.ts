import {
  HistoryPage,
  Interaction,
  InteractionExportQuery,
  InteractionInput,
  InteractionListQuery,
  InteractionPage,
  InteractionParams,
  InteractionPatch,
  InteractionTypeList,
  InteractionTypes,
  NoContent,
  OrgParams,
  PageQuery,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BadRequest } from '../../errors.js';
import { isUuid } from '../../pagination.js';
import { exportCsv } from './export.js';
import { byIdStatement } from './queries.js';
import {
  createInteraction,
  deleteInteraction,
  getInteraction,
  listHistory,
  listInteractions,
  patchInteraction,
  replaceInteraction,
} from './service.js';

const IfMatch = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The version (ETag) you last read' })),
});

/** `If-Match: "3"`, `W/"3"` or `3` → 3; absent → no precondition. */
function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match)
    throw new BadRequest('If-Match must be the version you read, e.g. "3".', [
      { path: '/headers/if-match', message: 'must be a version' },
    ]);
  return Number(match[1]);
}

const withEtag = (reply: FastifyReply, interaction: Interaction) => {
  reply.header('etag', `"${interaction.version}"`);
  return interaction;
};

const typeLabels: Record<(typeof InteractionTypes)[number], string> = {
  meeting: 'Meeting',
  call: 'Call',
  email: 'Email',
  update: 'Update',
  training: 'Training',
  other: 'Other',
};

export const interactionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['interactions'];
  const scope = (request: FastifyRequest) => request.tenant().scope;
  const me = (request: FastifyRequest) => request.me().id;

  app.get(
    '/interaction-types',
    { schema: { tags, summary: 'The interaction types', response: { 200: InteractionTypeList } } },
    async () => ({ items: InteractionTypes.map((value) => ({ value, label: typeLabels[value] })) }),
  );

  app.get(
    '/orgs/:orgId/interactions',
    {
      config: { org: 'data:read' },
      schema: {
        tags,
        summary: 'List, filter and search interactions',
        params: OrgParams,
        querystring: InteractionListQuery,
        response: { 200: InteractionPage },
      },
    },
    async (request) => listInteractions(scope(request), request.query),
  );

  app.get(
    '/orgs/:orgId/interactions/export',
    {
      config: { org: 'data:read' },
      schema: {
        tags,
        summary: 'Export interactions as CSV (streamed; same filters as the list)',
        params: OrgParams,
        querystring: InteractionExportQuery,
      },
    },
    async (request, reply) => {
      const stream = exportCsv(scope(request), request.query);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="interactions.csv"');
      return reply.send(stream);
    },
  );

  app.post(
    '/orgs/:orgId/interactions',
    {
      config: { org: 'data:write' },
      schema: {
        tags,
        summary: 'Record an interaction',
        params: OrgParams,
        body: InteractionInput,
        response: { 201: Interaction },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(withEtag(reply, await createInteraction(scope(request), me(request), request.body))),
  );

  app.get(
    '/orgs/:orgId/interactions/:id',
    {
      config: {
        org: 'data:read',
        row: {
          statement: byIdStatement,
          params: ({ id }) => (id && isUuid(id) ? { id } : undefined),
        },
      },
      schema: {
        tags,
        summary: 'One interaction',
        params: InteractionParams,
        response: { 200: Interaction },
      },
    },
    async (request, reply) =>
      withEtag(reply, await getInteraction(scope(request), request.params.id)),
  );

  app.put(
    '/orgs/:orgId/interactions/:id',
    {
      config: { org: 'data:write' },
      schema: {
        tags,
        summary: 'Replace an interaction (If-Match: 412 on a stale version)',
        params: InteractionParams,
        headers: IfMatch,
        body: InteractionInput,
        response: { 200: Interaction },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await replaceInteraction(
          scope(request),
          me(request),
          request.params.id,
          request.body,
          expectedVersion(request),
        ),
      ),
  );

  app.patch(
    '/orgs/:orgId/interactions/:id',
    {
      config: { org: 'data:write' },
      schema: {
        tags,
        summary: 'Change some fields (If-Match: 412 on a stale version)',
        params: InteractionParams,
        headers: IfMatch,
        body: InteractionPatch,
        response: { 200: Interaction },
      },
    },
    async (request, reply) =>
      withEtag(
        reply,
        await patchInteraction(
          scope(request),
          me(request),
          request.params.id,
          request.body,
          expectedVersion(request),
        ),
      ),
  );

  app.delete(
    '/orgs/:orgId/interactions/:id',
    {
      config: { org: 'data:write' },
      schema: {
        tags,
        summary: 'Delete an interaction (its history stays)',
        params: InteractionParams,
        headers: IfMatch,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteInteraction(
        scope(request),
        me(request),
        request.params.id,
        expectedVersion(request),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/orgs/:orgId/interactions/:id/history',
    {
      config: { org: 'data:read' },
      schema: {
        tags,
        summary: 'The audit trail of an interaction, oldest first',
        params: InteractionParams,
        querystring: PageQuery,
        response: { 200: HistoryPage },
      },
    },
    async (request) => listHistory(scope(request), request.params.id, request.query),
  );
};
