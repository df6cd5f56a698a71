import {
  AdminOrganization,
  AdminOrganizationPage,
  AdminOrgListQuery,
  NoContent,
  OrgParams,
  TransferOwnershipRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  type AdminContext,
  deleteOrganizationAsAdmin,
  listAllOrganizations,
  transferOwnership,
} from './admin-service.js';

const actorOf = (request: FastifyRequest) => ({ user: request.me(), ip: request.ip });

/**
 * Superuser org administration under /admin/orgs: separate, explicit endpoints (never a tenancy
 * bypass on the org routes), each change audited.
 */
export const adminOrgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin'];
  const context: AdminContext = { db: app.db, authChanged: (tx) => app.authChanged(tx) };

  app.get(
    '/admin/orgs',
    {
      config: { superuser: true },
      schema: {
        operationId: 'admin.orgs.list',
        tags,
        summary: 'Every organization, newest first, with member and owner counts',
        querystring: AdminOrgListQuery,
        response: { 200: AdminOrganizationPage },
      },
    },
    async (request) => listAllOrganizations(app.db, request.query),
  );

  app.post(
    '/admin/orgs/:orgId/transfer',
    {
      config: { superuser: true, reauth: true, errors: [409] },
      schema: {
        operationId: 'admin.orgs.transferOwnership',
        tags,
        summary: 'Make a user the owner of an organization; its other owners become admins',
        description:
          'A user who is not a member is added as owner (an explicit superuser action). 404 for an unknown org or user, 409 for a disabled account. Audited (`admin.org.ownership.transferred`).',
        params: OrgParams,
        body: TransferOwnershipRequest,
        response: { 200: AdminOrganization },
      },
    },
    async (request) =>
      transferOwnership(context, actorOf(request), request.params.orgId, request.body.userId),
  );

  app.delete(
    '/admin/orgs/:orgId',
    {
      config: { superuser: true, reauth: true },
      schema: {
        operationId: 'admin.orgs.delete',
        tags,
        summary: 'Delete an organization and all its data',
        description: 'Audited (`admin.org.deleted`).',
        params: OrgParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteOrganizationAsAdmin(context, actorOf(request), request.params.orgId);
      return reply.status(204).send(null);
    },
  );
};
