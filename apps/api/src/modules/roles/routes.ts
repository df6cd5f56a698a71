import { CreateRoleRequest, IdParams, NoContent, Role, RoleList } from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createRole, deleteRole, listRoles } from './service.js';

export const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['roles'];

  app.get(
    '/roles',
    {
      config: { permission: 'roles:read' },
      schema: {
        operationId: 'roles.list',
        tags,
        summary: 'Every role',
        response: { 200: RoleList },
      },
    },
    async () => ({ items: await listRoles(app.db) }),
  );

  app.post(
    '/roles',
    {
      config: { errors: [409], permission: 'roles:write' },
      schema: {
        operationId: 'roles.create',
        tags,
        summary: 'Create a role from catalogue permissions',
        body: CreateRoleRequest,
        response: { 201: Role },
      },
    },
    async (request, reply) => reply.status(201).send(await createRole(app.db, request.body)),
  );

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'roles:write' },
      schema: {
        operationId: 'roles.delete',
        tags,
        summary: 'Delete a role',
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteRole(app.db, (tx) => app.authChanged(tx), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
