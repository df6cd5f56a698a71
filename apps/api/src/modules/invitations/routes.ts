import {
  AcceptInvitationRequest,
  CreateInvitationRequest,
  Invitation,
  InvitationPage,
  InvitationParams,
  NoContent,
  Organization,
  OrgParams,
  PageQuery,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { auditActor } from '../../audit-actor.js';
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  revokeInvitation,
} from './service.js';

const actor = (request: FastifyRequest) => ({
  id: request.me().id,
  role: request.tenant().role,
  audit: auditActor(request),
});

/** Invitations are the only way into an org (SPEC §4.3): the invitee accepts, or nothing happens. */
export const invitationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['organizations'];

  app.post(
    '/orgs/:orgId/invitations',
    {
      config: { org: 'invitations:manage' },
      schema: {
        operationId: 'invitations.create',
        tags,
        summary: 'Invite someone by email (the token is only emailed)',
        description:
          'The answer is the same whether or not the address has an account. Limits: 20 ' +
          'invitations per organization per hour, 3 per address per day across organizations, ' +
          'and no re-invitation of one address within 10 minutes (429 with Retry-After).',
        params: OrgParams,
        body: CreateInvitationRequest,
        response: { 201: Invitation },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createInvitation(app.db, request.tenant().id, actor(request), request.body)),
  );

  app.get(
    '/orgs/:orgId/invitations',
    {
      config: { org: 'invitations:manage' },
      schema: {
        operationId: 'invitations.list',
        tags,
        summary: 'Pending invitations',
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: InvitationPage },
      },
    },
    async (request) => listInvitations(request.tenant().scope, request.query),
  );

  app.delete(
    '/orgs/:orgId/invitations/:id',
    {
      config: { org: 'invitations:manage' },
      schema: {
        operationId: 'invitations.revoke',
        tags,
        summary: 'Revoke a pending invitation',
        params: InvitationParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await revokeInvitation(request.tenant().scope, auditActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/invitations/accept',
    {
      config: { errors: [409], auth: true },
      schema: {
        operationId: 'invitations.accept',
        tags,
        summary: 'Accept an invitation sent to your email address',
        body: AcceptInvitationRequest,
        response: { 200: Organization },
      },
    },
    async (request) => {
      const joined = await acceptInvitation(
        app.db,
        request.me(),
        auditActor(request),
        request.body.token,
      );
      await app.authChanged();
      return joined;
    },
  );
};
