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
import { documented } from '../../openapi.js';
import { accountRoutes } from './account-routes.js';
import { emailRoutes } from './email-routes.js';
import { authResponseExample, loginExample, registerExample } from './examples.js';
import { LoginLimiter, perIp } from './limiter.js';
import { authResponse } from './mapping.js';
import { mfaRoutes } from './mfa-routes.js';
import { completeMfaLogin } from './mfa-service.js';
import { recoveryRoutes } from './recovery-routes.js';
import { refresh } from './refresh-service.js';
import {
  type AuthContext,
  login,
  logout,
  logoutEverywhere,
  logoutOthers,
  register,
} from './service.js';

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
    lifetimes: app.config.sessions,
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
      config: { errors: [409], noStore: true, rateLimit: perIp(app, 20, FIFTEEN_MINUTES) },
      schema: {
        operationId: 'auth.register',
        tags,
        summary: 'Create an account and sign in',
        body: documented(RegisterRequest, { examples: [registerExample] }),
        description:
          'With `invitationToken`, the account joins the inviting org in the same transaction and its email counts as verified; an unknown or used token answers 404 and creates nothing, one sent to another address 403.',
        response: {
          201: documented(AuthResponse, {
            description: 'Signed up and in: the tokens and the new account',
            examples: [authResponseExample],
          }),
        },
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
        operationId: 'auth.login',
        tags,
        summary: 'Sign in with email or username',
        description:
          'Answers tokens, or, for an account with two-factor sign-in, `{status: "mfa_required", challengeToken}`: no session yet; complete it at POST /auth/login/mfa within `expiresIn` seconds.',
        body: documented(LoginRequest, { examples: [loginExample] }),
        response: {
          200: documented(LoginResponse, {
            description:
              'Signed in: an access token (Bearer) and a refresh token; or a two-factor challenge',
            examples: [authResponseExample],
          }),
        },
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
        operationId: 'auth.completeMfaLogin',
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
        operationId: 'auth.refresh',
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
      schema: {
        operationId: 'auth.logout',
        tags,
        summary: 'End this session',
        response: { 204: NoContent },
      },
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
      schema: {
        operationId: 'auth.logoutAll',
        tags,
        summary: 'End every session of this account',
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await logoutEverywhere(context, actorOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/logout-others',
    {
      config: { auth: true },
      schema: {
        operationId: 'auth.logoutOthers',
        tags,
        summary: 'End every other session of this account, keeping this one',
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await logoutOthers(context, actorOf(request), request.session?.id);
      return reply.status(204).send(null);
    },
  );

  await app.register(accountRoutes, { context });
  await app.register(emailRoutes, { context });
  await app.register(mfaRoutes, { context });
  await app.register(recoveryRoutes, { context });
};
