import {
  CreateUserRequest,
  IdParams,
  NoContent,
  RoleList,
  SetSuperuserRequest,
  SetUserRolesRequest,
  UpdateUserRequest,
  User,
  UserListQuery,
  UserPage,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { getUser } from '../../accounts.js';
import { auditActor } from '../../audit-actor.js';
import {
  type Admin,
  createUser,
  deleteUser,
  listUsers,
  setUserActive,
  setUserRoles,
  setUserSuperuser,
  type UsersContext,
  updateUser,
  userRoles,
} from './service.js';

const admin = (request: FastifyRequest): Admin => ({
  user: request.me(),
  audit: auditActor(request),
});

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
        operationId: 'users.list',
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
      schema: {
        operationId: 'users.get',
        tags,
        summary: 'One user',
        params: IdParams,
        response: { 200: User },
      },
    },
    async (request) => getUser(app.db, request.params.id),
  );

  app.post(
    '/users',
    {
      config: { ...write, errors: [409] },
      schema: {
        operationId: 'users.create',
        tags,
        summary: 'Create a user',
        body: CreateUserRequest,
        response: { 201: User },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createUser(app.db, admin(request), request.body)),
  );

  app.patch(
    '/users/:id',
    {
      // Moving an account to another email address hands it to whoever reads that mailbox.
      config: { ...write, reauth: true, errors: [409] },
      schema: {
        operationId: 'users.update',
        tags,
        summary: "Edit a user's profile, email, active flag or password-reset demand",
        description:
          'Only superusers edit superusers. `isActive: false` and `passwordResetRequired: true` end every session of the user. A new email starts unverified. Audited (`admin.user.updated`).',
        params: IdParams,
        body: UpdateUserRequest,
        response: { 200: User },
      },
    },
    async (request) =>
      updateUser(context, request.me(), request.ip, request.params.id, request.body),
  );

  app.delete(
    '/users/:id',
    {
      config: { ...write, errors: [409] },
      schema: {
        operationId: 'users.delete',
        tags,
        summary: 'Delete a user',
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await deleteUser(context, admin(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/users/:id/disable',
    {
      config: { ...write, errors: [409] },
      schema: {
        operationId: 'users.disable',
        tags,
        summary: 'Disable a user and end their sessions',
        params: IdParams,
        response: { 200: User },
      },
    },
    async (request) => setUserActive(context, admin(request), request.params.id, false),
  );

  app.put(
    '/users/:id/enable',
    {
      config: write,
      schema: {
        operationId: 'users.enable',
        tags,
        summary: 'Enable a disabled user',
        params: IdParams,
        response: { 200: User },
      },
    },
    async (request) => setUserActive(context, admin(request), request.params.id, true),
  );

  app.put(
    '/users/:id/superuser',
    {
      config: { errors: [409], superuser: true, reauth: true },
      schema: {
        operationId: 'users.setSuperuser',
        tags,
        summary: 'Grant or revoke superuser (superusers only)',
        params: IdParams,
        body: SetSuperuserRequest,
        response: { 200: User },
      },
    },
    async (request) =>
      setUserSuperuser(context, admin(request), request.params.id, request.body.isSuperuser),
  );

  app.get(
    '/users/:id/roles',
    {
      config: read,
      schema: {
        operationId: 'users.listRoles',
        tags,
        summary: "A user's roles",
        params: IdParams,
        response: { 200: RoleList },
      },
    },
    async (request) => ({ items: await userRoles(app.db, request.params.id) }),
  );

  app.put(
    '/users/:id/roles',
    {
      // Assigning roles grants permissions, so it needs the roles permission, not users:write.
      config: { permission: 'roles:write', reauth: true },
      schema: {
        operationId: 'users.setRoles',
        tags,
        summary: "Replace a user's roles",
        params: IdParams,
        body: SetUserRolesRequest,
        response: { 200: RoleList },
      },
    },
    async (request) => ({
      items: await setUserRoles(context, admin(request), request.params.id, request.body.roleIds),
    }),
  );
};
