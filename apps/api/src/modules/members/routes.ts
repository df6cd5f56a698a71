import {
  GrantMembershipRequest,
  Member,
  MemberPage,
  MemberParams,
  NoContent,
  OrgParams,
  PageQuery,
  UpdateMemberRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { auditActor } from '../../audit-actor.js';
import { changeMemberRole, grantMembership, listMembers, removeMember } from './service.js';

const actor = (request: FastifyRequest) => ({
  id: request.me().id,
  role: request.tenant().role,
  audit: auditActor(request),
});

/**
 * Routes that change memberships call `app.authChanged()` afterwards: the tenancy guard caches
 * each member's role, and that clears the cache here and, through NOTIFY, on every instance.
 * Nobody is added here: people join by accepting an invitation (see the invitations module).
 */
export const memberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['organizations'];

  app.get(
    '/orgs/:orgId/members',
    {
      config: { org: 'members:read' },
      schema: {
        operationId: 'members.list',
        tags,
        summary: 'Members and their roles',
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: MemberPage },
      },
    },
    async (request) => listMembers(request.tenant().scope, request.query),
  );

  app.patch(
    '/orgs/:orgId/members/:userId',
    {
      config: { errors: [409], org: 'members:manage' },
      schema: {
        operationId: 'members.update',
        tags,
        summary: "Change a member's role",
        params: MemberParams,
        body: UpdateMemberRequest,
        response: { 200: Member },
      },
    },
    async (request) => {
      const { userId } = request.params;
      const member = await changeMemberRole(
        request.tenant().scope,
        actor(request),
        userId,
        request.body.role,
      );
      await app.authChanged();
      return member;
    },
  );

  app.delete(
    '/orgs/:orgId/members/:userId',
    {
      // Members may remove themselves (leave); removing others needs admin, checked by the service.
      config: { errors: [409], org: 'org:read' },
      schema: {
        operationId: 'members.remove',
        tags,
        summary: 'Remove a member, or leave the organization',
        params: MemberParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await removeMember(request.tenant().scope, actor(request), request.params.userId);
      await app.authChanged();
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/admin/orgs/:orgId/members',
    {
      // Not an org route: no member of the org can reach it, only a superuser, who needs no
      // membership of their own.
      config: { errors: [409], superuser: true },
      schema: {
        operationId: 'members.add',
        tags,
        summary: 'Add a user to an organization without an invitation (audited)',
        description:
          'An operator action, recorded as the audit event `org.member.added` (`via: superuser`). Org owners ' +
          'and admins invite instead (`POST /orgs/{orgId}/invitations`).',
        params: OrgParams,
        body: GrantMembershipRequest,
        response: { 201: Member },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { userId, role } = request.body;
      const member = await grantMembership(app.db, auditActor(request), orgId, userId, role);
      await app.authChanged();
      return reply.status(201).send(member);
    },
  );
};
