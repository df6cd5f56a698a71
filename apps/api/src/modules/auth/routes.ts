import {
  AuthResponse,
  LoginMfaRequest,
  LoginRequest,
  LoginResponse,
  NoContent,
  RefreshRequest,
  RegisterRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { accountRoutes } from './account-routes.js';
import { LoginLimiter, perIp } from './limiter.js';
import { authResponse } from './mapping.js';
import { mfaRoutes } from './mfa-routes.js';
import { completeMfaLogin } from './mfa-service.js';
import { recoveryRoutes } from './recovery-routes.js';
import { refresh } from './refresh-service.js';
import { type AuthContext, login, logout, logoutEverywhere, register } from './service.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;

const clientOf = (request: FastifyRequest) => ({
  userAgent: request.headers['user-agent'],
  ip: request.ip,
});

const actorOf = (request: FastifyRequest) => ({ id: request.me().id, ip: request.ip });

export interface AuthRoutesOptions {
  /** The clock TOTP codes are checked against; tests pass a fixed one. */
  clock?: () => number;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const context: AuthContext = {
    db: app.db,
    failures: new LoginLimiter(app.config.loginFailures, app.config.queuePrefix, app.redis),
    authChanged: (tx) => app.authChanged(tx),
    now: options.clock ?? Date.now,
    mfaKey: app.sealingKey('totp-secret'),
    mfaIssuer: app.config.jwt.issuer,
    mfaRequired: (user) => app.mfaRequired(user),
    reauthWindowSeconds: app.config.mfa.reauthWindowSeconds,
    refreshGraceSeconds: app.config.mfa.refreshReuseGraceSeconds,
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
        response: { 201: AuthResponse },
      },
    },
    async (request, reply) => {
      const { user, session } = await register(app.db, request.body, clientOf(request));
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
        description:
          'Answers tokens, or, for an account with two-factor sign-in, `{status: "mfa_required", challengeToken}`: no session yet; complete it at POST /auth/login/mfa within `expiresIn` seconds.',
        body: LoginRequest,
        response: { 200: LoginResponse },
      },
    },
    async (request) => {
      const result = await login(context, request.body, clientOf(request));
      if ('status' in result) return result;
      return authResponse(app, result.user, result.session);
    },
  );

  app.post(
    '/auth/login/mfa',
    {
      config: { noStore: true, rateLimit: perIp(app, 30, 60_000) },
      schema: {
        tags,
        summary: 'Complete a two-factor sign-in with a TOTP code or a recovery code',
        description:
          'Send the `challengeToken` from POST /auth/login and exactly one of `code` and `recoveryCode`. Each code works once; wrong codes spend the same budget as wrong passwords.',
        body: LoginMfaRequest,
        response: { 200: AuthResponse },
      },
    },
    async (request) => {
      const { user, session } = await completeMfaLogin(context, request.body, clientOf(request));
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
      const { user, session } = await refresh(context, request.body.refreshToken, request.ip);
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
      await logout(context, actorOf(request), request.session?.id);
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
      await logoutEverywhere(context, actorOf(request));
      return reply.status(204).send(null);
    },
  );

  await app.register(accountRoutes, { context });
  await app.register(mfaRoutes, { context });
  await app.register(recoveryRoutes, { context });
};
