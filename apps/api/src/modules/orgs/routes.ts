import {
  CreateOrgRequest,
  NoContent,
  Organization,
  OrganizationPage,
  OrgParams,
  PageQuery,
  UpdateOrgRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  listMyOrganizations,
  updateOrganization,
} from './service.js';

/**
 * Deleting an org calls `app.authChanged()` afterwards: the tenancy guard caches each member's
 * role, and that clears the cache here and, through NOTIFY, on every instance. Members and
 * invitations have modules of their own.
 */
export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['organizations'];
  // The tenancy guard has run on every route that reads these.

  app.post(
    '/orgs',
    {
      config: { auth: true },
      schema: {
        tags,
        summary: 'Create an organization; you become its owner',
        body: CreateOrgRequest,
        response: { 201: Organization },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createOrganization(app.db, request.me().id, request.body)),
  );

  app.get(
    '/orgs',
    {
      config: { auth: true },
      schema: {
        tags,
        summary: 'The organizations you belong to, with your role',
        querystring: PageQuery,
        response: { 200: OrganizationPage },
      },
    },
    async (request) => listMyOrganizations(app.db, request.me().id, request.query),
  );

  app.get(
    '/orgs/:orgId',
    {
      config: { org: 'org:read' },
      schema: {
        tags,
        summary: 'One organization',
        params: OrgParams,
        response: { 200: Organization },
      },
    },
    async (request) => getOrganization(app.db, request.tenant().id, request.tenant().role),
  );

  app.patch(
    '/orgs/:orgId',
    {
      config: { org: 'org:update' },
      schema: {
        tags,
        summary: 'Rename an organization or change its slug',
        params: OrgParams,
        body: UpdateOrgRequest,
        response: { 200: Organization },
      },
    },
    async (request) =>
      updateOrganization(app.db, request.tenant().id, request.tenant().role, request.body),
  );

  app.delete(
    '/orgs/:orgId',
    {
      config: { org: 'org:delete', reauth: true },
      schema: {
        tags,
        summary: 'Delete an organization and all its data',
        params: OrgParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteOrganization(app.db, request.tenant().id);
      await app.authChanged();
      return reply.status(204).send(null);
    },
  );
};
