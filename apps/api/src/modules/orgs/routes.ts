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
import { auditActor } from '../../audit-actor.js';
import { documented } from '../../openapi.js';
import { adminOrgRoutes } from './admin-routes.js';
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
      config: { errors: [409], auth: true, verifiedEmail: true },
      schema: {
        operationId: 'orgs.create',
        tags,
        summary: 'Create an organization; you become its owner',
        body: documented(CreateOrgRequest, {
          examples: [{ name: 'Northwind', slug: 'northwind' }],
        }),
        response: {
          201: documented(Organization, {
            description: 'The new organization; you are its owner',
            examples: [
              {
                id: '01936b4e-1111-7c3d-9e1f-2a3b4c5d6e7f',
                name: 'Northwind',
                slug: 'northwind',
                role: 'owner',
                createdAt: '2026-11-20T09:12:44.120Z',
                updatedAt: '2026-11-20T09:12:44.120Z',
              },
            ],
          }),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await createOrganization(
            app.db,
            { ...auditActor(request), actorId: request.me().id },
            request.body,
          ),
        ),
  );

  app.get(
    '/orgs',
    {
      config: { auth: true },
      schema: {
        operationId: 'orgs.list',
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
        operationId: 'orgs.get',
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
      config: { errors: [409], org: 'org:update' },
      schema: {
        operationId: 'orgs.update',
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
        operationId: 'orgs.delete',
        tags,
        summary: 'Delete an organization and all its data',
        params: OrgParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteOrganization(app.db, auditActor(request), request.tenant().id);
      await app.authChanged();
      return reply.status(204).send(null);
    },
  );

  await app.register(adminOrgRoutes);
};
