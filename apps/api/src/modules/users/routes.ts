import {
  CreateUserRequest,
  IdParams,
  NoContent,
  RoleList,
  SetSuperuserRequest,
  SetUserRolesRequest,
  User,
  UserListQuery,
  UserPage,
} from '@atrium/contracts';
import { sessions, users } from '@atrium/db';
import { eq, sql } from '@atrium/db/orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Forbidden } from '../../errors.js';
import { revokeSessions } from '../auth/sessions.js';
import { rolesOf, setRolesOf } from '../roles/service.js';
import { listUsers } from './list.js';
import { assertNotLastSuperuser, createUser, getUser } from './service.js';

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['users'];
  const read = { permission: 'users:read' } as const;
  const write = { permission: 'users:write' } as const;

  /** Only superusers may change superusers: a `users:write` holder cannot lock one out. */
  async function target(actor: User, id: string) {
    const user = await getUser(app.db, id);
    if (user.isSuperuser && !actor.isSuperuser) throw new Forbidden();
    return user;
  }

  app.get(
    '/users',
    {
      config: read,
      schema: {
        tags,
        summary: 'Search and page through users',
        querystring: UserListQuery,
        response: { 200: UserPage },
      },
    },
    async (request) => listUsers(app.db, request.query),
  );

  app.get(
    '/users/:id',
    {
      config: read,
      schema: { tags, summary: 'One user', params: IdParams, response: { 200: User } },
    },
    async (request) => getUser(app.db, request.params.id),
  );

  app.post(
    '/users',
    {
      config: write,
      schema: { tags, summary: 'Create a user', body: CreateUserRequest, response: { 201: User } },
    },
    async (request, reply) => {
      if (request.body.isSuperuser && !request.user!.isSuperuser) throw new Forbidden();
      return reply.status(201).send(await createUser(app.db, request.body));
    },
  );

  app.delete(
    '/users/:id',
    {
      config: write,
      schema: { tags, summary: 'Delete a user', params: IdParams, response: { 204: NoContent } },
    },
    async (request, reply) => {
      await target(request.user!, request.params.id);
      await app.db.transaction(async (tx) => {
        await assertNotLastSuperuser(tx, request.params.id);
        await tx.delete(users).where(eq(users.id, request.params.id));
        await app.authChanged(tx);
      });
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/users/:id/disable',
    {
      config: write,
      schema: {
        tags,
        summary: 'Disable a user and end their sessions',
        params: IdParams,
        response: { 200: User },
      },
    },
    async (request) => {
      const { id } = request.params;
      await target(request.user!, id);
      await app.db.transaction(async (tx) => {
        await assertNotLastSuperuser(tx, id);
        await tx
          .update(users)
          .set({ isActive: false, updatedAt: sql`now()` })
          .where(eq(users.id, id));
        await revokeSessions(tx, eq(sessions.userId, id));
        await app.authChanged(tx);
      });
      return getUser(app.db, id);
    },
  );

  app.put(
    '/users/:id/enable',
    {
      config: write,
      schema: {
        tags,
        summary: 'Enable a disabled user',
        params: IdParams,
        response: { 200: User },
      },
    },
    async (request) => {
      const { id } = request.params;
      await target(request.user!, id);
      await app.db
        .update(users)
        .set({ isActive: true, updatedAt: sql`now()` })
        .where(eq(users.id, id));
      return getUser(app.db, id);
    },
  );

  app.put(
    '/users/:id/superuser',
    {
      config: { superuser: true },
      schema: {
        tags,
        summary: 'Grant or revoke superuser (superusers only)',
        params: IdParams,
        body: SetSuperuserRequest,
        response: { 200: User },
      },
    },
    async (request) => {
      const { id } = request.params;
      await getUser(app.db, id);
      await app.db.transaction(async (tx) => {
        if (!request.body.isSuperuser) await assertNotLastSuperuser(tx, id);
        await tx
          .update(users)
          .set({ isSuperuser: request.body.isSuperuser, updatedAt: sql`now()` })
          .where(eq(users.id, id));
        await app.authChanged(tx);
      });
      return getUser(app.db, id);
    },
  );

  app.get(
    '/users/:id/roles',
    {
      config: read,
      schema: { tags, summary: "A user's roles", params: IdParams, response: { 200: RoleList } },
    },
    async (request) => {
      await getUser(app.db, request.params.id);
      return { items: await rolesOf(app.db, request.params.id) };
    },
  );

  app.put(
    '/users/:id/roles',
    {
      // Assigning roles grants permissions, so it needs the roles permission, not users:write.
      config: { permission: 'roles:write' },
      schema: {
        tags,
        summary: "Replace a user's roles",
        params: IdParams,
        body: SetUserRolesRequest,
        response: { 200: RoleList },
      },
    },
    async (request) => {
      const { id } = request.params;
      await target(request.user!, id);
      await app.db.transaction(async (tx) => {
        await setRolesOf(tx, id, request.body.roleIds);
        await app.authChanged(tx);
      });
      return { items: await rolesOf(app.db, id) };
    },
  );
};
