import { verifyPassword } from '@atrium/auth';
import {
  AuthResponse,
  LoginRequest,
  NoContent,
  RefreshRequest,
  RegisterRequest,
} from '@atrium/contracts';
import { sessions, users } from '@atrium/db';
import { eq, or, sql } from '@atrium/db/orm';
import { permissionsOf, revokeSessions, toUser } from '@atrium/db/queries';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createAccount, getUser } from '../../accounts.js';
import { Unauthorized } from '../../errors.js';
import { accountRoutes } from './account-routes.js';
import { LoginLimiter, perIp } from './limiter.js';
import { recoveryRoutes } from './recovery-routes.js';
import { queueTokenEmail } from './recovery-service.js';
import { authResponse, prepareStartSession, rotateRefreshToken } from './sessions.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const BAD_LOGIN = 'The email/username or password is incorrect.';

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const failures = new LoginLimiter(app.config.loginFailures, app.config.queuePrefix, app.redis);
  const tags = ['auth'];
  // The login lookup (by email or username, case-insensitively) with the user's permissions.
  const findLogin = app.db
    .select({ user: users, permissions: permissionsOf(users.id) })
    .from(users)
    .where(
      or(
        eq(sql`lower(${users.email})`, sql.placeholder('login')),
        eq(sql`lower(${users.username})`, sql.placeholder('login')),
      ),
    )
    .limit(1)
    .prepare('auth_login_lookup');
  const startSession = prepareStartSession(app.db);

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
      const user = await createAccount(app.db, request.body);
      await app.db.transaction((tx) => queueTokenEmail(tx, user, 'email-verification'));
      const session = await startSession(user.id, request);
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
      const login = request.body.login.toLowerCase();
      const [found] = await findLogin.execute({ login });
      // Keyed by account when it exists, so email and username share one failure budget.
      const attempt = await failures.begin(found?.user, login, request.ip);
      // Unknown users verify against a dummy hash: same answer, comparable time.
      const ok = await verifyPassword(found?.user.passwordHash, request.body.password);
      if (!ok || !found?.user.isActive) throw new Unauthorized(BAD_LOGIN, 'invalid_credentials');
      await attempt.succeeded();
      const session = await startSession(found.user.id, request);
      const user = toUser(found.user, found.permissions);
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
      const result = await app.db.transaction(async (tx) => {
        const rotated = await rotateRefreshToken(tx, request.body.refreshToken);
        if (rotated.kind === 'reused') await app.authChanged(tx);
        return rotated;
      });
      if (result.kind === 'reused') {
        throw new Unauthorized(
          'This refresh token was already used; the session has been ended.',
          'refresh_token_reused',
        );
      }
      if (result.kind === 'invalid') {
        throw new Unauthorized('The refresh token is invalid or expired.', 'invalid_token');
      }
      const user = await getUser(app.db, result.userId);
      if (!user.isActive) throw new Unauthorized('This account is disabled.', 'invalid_token');
      return authResponse(app, user, result);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { auth: true },
      schema: { tags, summary: 'End this session', response: { 204: NoContent } },
    },
    async (request, reply) => {
      await app.db.transaction(async (tx) => {
        // Identity-provider tokens carry no session of ours: nothing to end.
        if (!request.session) return;
        await revokeSessions(tx, eq(sessions.id, request.session.id));
        await app.authChanged(tx);
      });
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
      await app.db.transaction(async (tx) => {
        await revokeSessions(tx, eq(sessions.userId, request.user!.id));
        await app.authChanged(tx);
      });
      return reply.status(204).send(null);
    },
  );

  await app.register(accountRoutes);
  await app.register(recoveryRoutes, { failures });
};
