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
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getUser } from '../../accounts.js';
import {
  createUser,
  deleteUser,
  listUsers,
  setUserActive,
  setUserRoles,
  setUserSuperuser,
  type UsersContext,
  userRoles,
} from './service.js';

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['users'];
  const read = { permission: 'users:read' } as const;
  const write = { permission: 'users:write' } as const;
  const context: UsersContext = { db: app.db, authChanged: (tx) => app.authChanged(tx) };

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
    async (request, reply) =>
      reply.status(201).send(await createUser(app.db, request.me(), request.body)),
  );

  app.delete(
    '/users/:id',
    {
      config: write,
      schema: { tags, summary: 'Delete a user', params: IdParams, response: { 204: NoContent } },
    },
    async (request, reply) => {
      await deleteUser(context, request.me(), request.params.id);
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
    async (request) => setUserActive(context, request.me(), request.params.id, false),
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
    async (request) => setUserActive(context, request.me(), request.params.id, true),
  );

  app.put(
    '/users/:id/superuser',
    {
      config: { superuser: true, reauth: true },
      schema: {
        tags,
        summary: 'Grant or revoke superuser (superusers only)',
        params: IdParams,
        body: SetSuperuserRequest,
        response: { 200: User },
      },
    },
    async (request) => setUserSuperuser(context, request.params.id, request.body.isSuperuser),
  );

  app.get(
    '/users/:id/roles',
    {
      config: read,
      schema: { tags, summary: "A user's roles", params: IdParams, response: { 200: RoleList } },
    },
    async (request) => ({ items: await userRoles(app.db, request.params.id) }),
  );

  app.put(
    '/users/:id/roles',
    {
      // Assigning roles grants permissions, so it needs the roles permission, not users:write.
      config: { permission: 'roles:write', reauth: true },
      schema: {
        tags,
        summary: "Replace a user's roles",
        params: IdParams,
        body: SetUserRolesRequest,
        response: { 200: RoleList },
      },
    },
    async (request) => ({
      items: await setUserRoles(context, request.me(), request.params.id, request.body.roleIds),
    }),
  );
};
