import {
  AuthResponse,
  LoginRequest,
  NoContent,
  RefreshRequest,
  RegisterRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { accountRoutes } from './account-routes.js';
import { emailRoutes } from './email-routes.js';
import { LoginLimiter, perIp } from './limiter.js';
import { authResponse } from './mapping.js';
import { recoveryRoutes } from './recovery-routes.js';
import {
  type AuthContext,
  login,
  logout,
  logoutEverywhere,
  logoutOthers,
  refresh,
  register,
} from './service.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;

const clientOf = (request: FastifyRequest) => ({
  userAgent: request.headers['user-agent'],
  ip: request.ip,
});

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const context: AuthContext = {
    db: app.db,
    failures: new LoginLimiter(app.config.loginFailures, app.config.queuePrefix, app.redis),
    authChanged: (tx) => app.authChanged(tx),
    lifetimes: app.config.sessions,
  };
  const tags = ['auth'];

  app.post(
    '/auth/register',
    {
      config: { noStore: true, rateLimit: perIp(app, 20, FIFTEEN_MINUTES) },
      schema: {
        tags,
        summary: 'Create an account and sign in',
        body: RegisterRequest,
        description:
          'With `invitationToken`, the account joins the inviting org in the same transaction and its email counts as verified; an unknown or used token answers 404 and creates nothing, one sent to another address 403.',
        response: { 201: AuthResponse },
      },
    },
    async (request, reply) => {
      const { user, session } = await register(context, request.body, clientOf(request));
      return reply.status(201).send(authResponse(app, user, session));
    },
  );

  app.post(
    '/auth/login',
    {
      config: { noStore: true, rateLimit: perIp(app, 30, 60_000) },
      schema: {
        tags,
        summary: 'Sign in with email or username',
        body: LoginRequest,
        response: { 200: AuthResponse },
      },
    },
    async (request) => {
      const { user, session } = await login(context, request.body, clientOf(request));
      return authResponse(app, user, session);
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: { noStore: true, rateLimit: perIp(app, 60, 60_000) },
      schema: {
        tags,
        summary: 'Exchange a refresh token for new tokens (rotation)',
        body: RefreshRequest,
        response: { 200: AuthResponse },
      },
    },
    async (request) => {
      const { user, session } = await refresh(context, request.body.refreshToken);
      return authResponse(app, user, session);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { auth: true },
      schema: { tags, summary: 'End this session', response: { 204: NoContent } },
    },
    async (request, reply) => {
      await logout(context, request.session?.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/logout-all',
    {
      config: { auth: true },
      schema: { tags, summary: 'End every session of this account', response: { 204: NoContent } },
    },
    async (request, reply) => {
      await logoutEverywhere(context, request.me().id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/logout-others',
    {
      config: { auth: true },
      schema: {
        tags,
        summary: 'End every other session of this account, keeping this one',
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await logoutOthers(context, request.me().id, request.session?.id);
      return reply.status(204).send(null);
    },
  );

  await app.register(accountRoutes, { context });
  await app.register(emailRoutes, { context });
  await app.register(recoveryRoutes, { context });
};
