import { IdParams, Lead, LeadPage, LeadQuery, LeadTimeline, NoContent } from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  eraseLead,
  getLead,
  type LeadsContext,
  leadTimeline,
  listLeads,
  type ObjectStore,
} from './service.js';

const reader = { permission: 'forms:read' } as const;

export const leadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['leads'];
  const context: LeadsContext = {
    db: app.db,
    // The uploads' object store, when the app has one (the uploads module decorates it).
    storage: app.hasDecorator('storage') ? app.getDecorator<ObjectStore>('storage') : undefined,
    log: app.log,
  };

  app.get(
    '/leads',
    {
      config: reader,
      schema: {
        operationId: 'leads.list',
        tags,
        summary: 'Leads, most recently seen first; ?q matches name, email or company',
        querystring: LeadQuery,
        response: { 200: LeadPage },
      },
    },
    async (request) => listLeads(app.db, request.query),
  );

  app.get(
    '/leads/:id',
    {
      config: reader,
      schema: {
        operationId: 'leads.get',
        tags,
        summary: 'One lead',
        params: IdParams,
        response: { 200: Lead },
      },
    },
    async (request) => getLead(app.db, request.params.id),
  );

  app.get(
    '/leads/:id/timeline',
    {
      config: reader,
      schema: {
        operationId: 'leads.timeline',
        tags,
        summary: "The lead's submissions, uploads, emails and CRM syncs, newest first",
        params: IdParams,
        response: { 200: LeadTimeline },
      },
    },
    async (request) => leadTimeline(app.db, request.params.id),
  );

  app.delete(
    '/leads/:id',
    {
      config: { permission: 'forms:delete' },
      schema: {
        operationId: 'leads.delete',
        tags,
        summary:
          'Erase a lead: its submissions, uploads (and their files) and queued jobs; the erasure itself is recorded without the data',
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await eraseLead(context, request.params.id, request.me().id);
      return reply.status(204).send(null);
    },
  );
};
