import { CreateRoleRequest, IdParams, NoContent, Role, RoleList } from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditActor } from '../../audit-actor.js';
import { createRole, deleteRole, listRoles } from './service.js';

export const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['roles'];

  app.get(
    '/roles',
    {
      config: { permission: 'roles:read' },
      schema: { tags, summary: 'Every role', response: { 200: RoleList } },
    },
    async () => ({ items: await listRoles(app.db) }),
  );

  app.post(
    '/roles',
    {
      config: { permission: 'roles:write' },
      schema: {
        tags,
        summary: 'Create a role from catalogue permissions',
        body: CreateRoleRequest,
        response: { 201: Role },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createRole(app.db, auditActor(request), request.body)),
  );

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'roles:write' },
      schema: { tags, summary: 'Delete a role', params: IdParams, response: { 204: NoContent } },
    },
    async (request, reply) => {
      await deleteRole(app.db, (tx) => app.authChanged(tx), auditActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
