import {
  AcceptInvitationRequest,
  AddMemberRequest,
  CreateInvitationRequest,
  CreateOrgRequest,
  Invitation,
  InvitationPage,
  InvitationParams,
  Member,
  MemberPage,
  MemberParams,
  NoContent,
  Organization,
  OrganizationPage,
  OrgParams,
  PageQuery,
  UpdateMemberRequest,
  UpdateOrgRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  revokeInvitation,
} from './invitations.js';
import { addMember, changeMemberRole, listMembers, removeMember } from './members.js';
import {
  createOrganization,
  deleteOrganization,
  getOrganization,
  listMyOrganizations,
  updateOrganization,
} from './service.js';

/**
 * Routes that change memberships call `app.authChanged()` afterwards: the tenancy guard caches
 * each member's role, and that clears the cache here and, through NOTIFY, on every instance.
 */
export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['organizations'];
  // The tenancy guard has run on every route that reads these.
  const org = (request: FastifyRequest) => request.org!;
  const actor = (request: FastifyRequest) => ({ id: request.user!.id, role: org(request).role });

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
      reply.status(201).send(await createOrganization(app.db, request.user!.id, request.body)),
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
    async (request) => listMyOrganizations(app.db, request.user!.id, request.query),
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
    async (request) => getOrganization(app.db, org(request).id, org(request).role),
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
    async (request) => updateOrganization(app.db, org(request).id, org(request).role, request.body),
  );

  app.delete(
    '/orgs/:orgId',
    {
      config: { org: 'org:delete' },
      schema: {
        tags,
        summary: 'Delete an organization and all its data',
        params: OrgParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteOrganization(app.db, org(request).id);
      await app.authChanged();
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/orgs/:orgId/members',
    {
      config: { org: 'members:read' },
      schema: {
        tags,
        summary: 'Members and their roles',
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: MemberPage },
      },
    },
    async (request) => listMembers(org(request).scope, request.query),
  );

  app.post(
    '/orgs/:orgId/members',
    {
      config: { org: 'members:manage' },
      schema: {
        tags,
        summary: 'Add an existing user as a member',
        params: OrgParams,
        body: AddMemberRequest,
        response: { 201: Member },
      },
    },
    async (request, reply) => {
      const member = await addMember(org(request).scope, actor(request), request.body);
      await app.authChanged();
      return reply.status(201).send(member);
    },
  );

  app.patch(
    '/orgs/:orgId/members/:userId',
    {
      config: { org: 'members:manage' },
      schema: {
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
        org(request).scope,
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
      config: { org: 'org:read' },
      schema: {
        tags,
        summary: 'Remove a member, or leave the organization',
        params: MemberParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await removeMember(org(request).scope, actor(request), request.params.userId);
      await app.authChanged();
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/orgs/:orgId/invitations',
    {
      config: { org: 'invitations:manage' },
      schema: {
        tags,
        summary: 'Invite someone by email (the token is only emailed)',
        params: OrgParams,
        body: CreateInvitationRequest,
        response: { 201: Invitation },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createInvitation(org(request).scope, actor(request), request.body)),
  );

  app.get(
    '/orgs/:orgId/invitations',
    {
      config: { org: 'invitations:manage' },
      schema: {
        tags,
        summary: 'Pending invitations',
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: InvitationPage },
      },
    },
    async (request) => listInvitations(org(request).scope, request.query),
  );

  app.delete(
    '/orgs/:orgId/invitations/:id',
    {
      config: { org: 'invitations:manage' },
      schema: {
        tags,
        summary: 'Revoke a pending invitation',
        params: InvitationParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await revokeInvitation(org(request).scope, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/invitations/accept',
    {
      config: { auth: true },
      schema: {
        tags,
        summary: 'Accept an invitation sent to your email address',
        body: AcceptInvitationRequest,
        response: { 200: Organization },
      },
    },
    async (request) => {
      const joined = await acceptInvitation(app.db, request.user!, request.body.token);
      await app.authChanged();
      return joined;
    },
  );
};
