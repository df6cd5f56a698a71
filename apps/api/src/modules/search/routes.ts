import { SearchPage, SearchQuery } from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { searchMyOrgs } from './service.js';

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/search',
    {
      config: { auth: true },
      schema: {
        operationId: 'interactions.search',
        tags: ['interactions'],
        summary: 'Search interactions in every organization you belong to',
        querystring: SearchQuery,
        response: { 200: SearchPage },
      },
    },
    async (request) => searchMyOrgs(app.db, request.me().id, request.query),
  );
};
