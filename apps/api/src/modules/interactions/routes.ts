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
import { documented, ETAG_HEADER, streamed } from '../../openapi.js';
import { isUuid } from '../../pagination.js';
import { interactionExample, interactionInputExample } from './examples.js';
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
    {
      schema: {
        operationId: 'interactions.listTypes',
        tags,
        summary: 'The interaction types',
        response: { 200: InteractionTypeList },
      },
    },
    async () => ({ items: InteractionTypes.map((value) => ({ value, label: typeLabels[value] })) }),
  );

  app.get(
    '/orgs/:orgId/interactions',
    {
      config: { org: 'data:read' },
      schema: {
        operationId: 'interactions.list',
        tags,
        summary: 'List, filter and search interactions',
        params: OrgParams,
        querystring: InteractionListQuery,
        response: {
          200: documented(InteractionPage, {
            description: 'One page of interactions; pass `nextCursor` as `cursor` for the next',
            examples: [{ items: [interactionExample], nextCursor: null }],
          }),
        },
      },
    },
    async (request) => listInteractions(scope(request), request.query),
  );

  app.get(
    '/orgs/:orgId/interactions/export',
    {
      config: { org: 'data:read' },
      schema: {
        operationId: 'interactions.export',
        tags,
        summary: 'Export interactions as CSV (streamed; same filters as the list)',
        params: OrgParams,
        querystring: InteractionExportQuery,
        response: {
          200: streamed('text/csv', 'The matching interactions as CSV with a header row', {
            'content-disposition': {
              type: 'string',
              description: 'attachment; filename="interactions.csv"',
            },
          }),
        },
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
        operationId: 'interactions.create',
        tags,
        summary: 'Record an interaction',
        params: OrgParams,
        body: documented(InteractionInput, { examples: [interactionInputExample] }),
        response: {
          201: documented(Interaction, {
            description: 'The interaction as recorded, at version 1',
            headers: ETAG_HEADER,
            examples: [interactionExample],
          }),
        },
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
        operationId: 'interactions.get',
        tags,
        summary: 'One interaction',
        params: InteractionParams,
        response: {
          200: documented(Interaction, {
            description: 'The interaction',
            headers: ETAG_HEADER,
            examples: [interactionExample],
          }),
        },
      },
    },
    async (request, reply) =>
      withEtag(reply, await getInteraction(scope(request), request.params.id)),
  );

  app.put(
    '/orgs/:orgId/interactions/:id',
    {
      config: { errors: [412], org: 'data:write' },
      schema: {
        operationId: 'interactions.replace',
        tags,
        summary: 'Replace an interaction (If-Match: 412 on a stale version)',
        params: InteractionParams,
        headers: IfMatch,
        body: InteractionInput,
        response: {
          200: documented(Interaction, {
            description: 'The interaction as replaced, at its next version',
            headers: ETAG_HEADER,
          }),
        },
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
      config: { errors: [412], org: 'data:write' },
      schema: {
        operationId: 'interactions.update',
        tags,
        summary: 'Change some fields (If-Match: 412 on a stale version)',
        params: InteractionParams,
        headers: IfMatch,
        body: InteractionPatch,
        response: {
          200: documented(Interaction, {
            description: 'The interaction as changed, at its next version',
            headers: ETAG_HEADER,
          }),
        },
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
      config: { errors: [412], org: 'data:write' },
      schema: {
        operationId: 'interactions.delete',
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
        operationId: 'interactions.history',
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
