import { unknownPermissions } from '@atrium/auth';
import { CreateRoleRequest, IdParams, NoContent, Role, RoleList } from '@atrium/contracts';
import { roles } from '@atrium/db';
import { asc, eq } from '@atrium/db/orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BadRequest, Conflict, NotFound } from '../../errors.js';
import { toRole } from './service.js';

export const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['roles'];

  app.get(
    '/roles',
    {
      config: { permission: 'roles:read' },
      schema: { tags, summary: 'Every role', response: { 200: RoleList } },
    },
    async () => ({
      items: (await app.db.select().from(roles).orderBy(asc(roles.name))).map(toRole),
    }),
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
    async (request, reply) => {
      const { name, description, permissions } = request.body;
      // The schema already limits permissions to the catalogue; this guards callers that skip it.
      const unknown = unknownPermissions(permissions);
      if (unknown.length) throw new BadRequest(`Unknown permissions: ${unknown.join(', ')}.`);
      const [row] = await app.db
        .insert(roles)
        .values({ name, description: description ?? '', permissions })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new Conflict(`A role named "${name}" already exists.`);
      return reply.status(201).send(toRole(row));
    },
  );

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'roles:write' },
      schema: { tags, summary: 'Delete a role', params: IdParams, response: { 204: NoContent } },
    },
    async (request, reply) => {
      const deleted = await app.db.transaction(async (tx) => {
        const rows = await tx
          .delete(roles)
          .where(eq(roles.id, request.params.id))
          .returning({ id: roles.id });
        if (rows.length) await app.authChanged(tx);
        return rows.length;
      });
      if (!deleted) throw new NotFound('role');
      return reply.status(204).send(null);
    },
  );
};
