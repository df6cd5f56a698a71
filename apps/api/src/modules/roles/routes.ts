import {
  CreateRoleRequest,
  IdParams,
  NoContent,
  Role,
  RoleList,
  UpdateRoleRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditActor } from '../../audit-actor.js';
import { createRole, deleteRole, listRoles, updateRole } from './service.js';

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
    async (request, reply) =>
      reply.status(201).send(await createRole(app.db, auditActor(request), request.body)),
  );

  app.patch(
    '/roles/:id',
    {
      // Adding permissions grants them to every holder: a sensitive change.
      config: { permission: 'roles:write', reauth: true, errors: [409] },
      schema: {
        operationId: 'roles.update',
        tags,
        summary: 'Rename a role or replace its description or permissions',
        description:
          'System roles answer 403. Non-superusers cannot add permissions they do not hold (403). A taken name answers 409. Audited (`admin.role.updated`).',
        params: IdParams,
        body: UpdateRoleRequest,
        response: { 200: Role },
      },
    },
    async (request) =>
      updateRole(
        app.db,
        (tx) => app.authChanged(tx),
        request.me(),
        request.ip,
        request.params.id,
        request.body,
      ),
  );

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'roles:write' },
      schema: {
        operationId: 'roles.delete',
        tags,
        summary: 'Delete a role (system roles answer 403)',
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteRole(app.db, (tx) => app.authChanged(tx), auditActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
