import {
  ChangePasswordRequest,
  IdParams,
  NoContent,
  Reauthenticated,
  ReauthenticateRequest,
  SessionList,
  UpdateMeRequest,
  User,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { perIp } from './limiter.js';
import { reauthenticate } from './mfa-service.js';
import {
  type AuthContext,
  changePassword,
  endOwnSession,
  listSessions,
  updateMe,
} from './service.js';

/** The signed-in user's own account: profile, password and sessions. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ context: AuthContext }> = async (
  app,
  { context },
) => {
  const tags = ['auth'];
  const auth = { auth: true } as const;

  app.get(
    '/auth/me',
    {
      config: auth,
      schema: {
        operationId: 'auth.getMe',
        tags,
        summary: 'The signed-in user',
        response: { 200: User },
      },
    },
    // The auth check already loaded the user (cached per session): no further query.
    async (request) => request.me(),
  );

  app.patch(
    '/auth/me',
    {
      config: { ...auth, errors: [409] },
      schema: {
        operationId: 'auth.updateMe',
        tags,
        summary: 'Update your own profile (only these fields)',
        body: UpdateMeRequest,
        response: { 200: User },
      },
    },
    async (request) => updateMe(context, request.me(), request.body),
  );

  app.put(
    '/auth/me/password',
    {
      config: { ...auth, reauth: true, rateLimit: perIp(app, 10, 15 * 60_000) },
      schema: {
        operationId: 'auth.changePassword',
        tags,
        summary: 'Change your password; ends your other sessions',
        body: ChangePasswordRequest,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const actor = { id: request.me().id, ip: request.ip };
      await changePassword(context, request.me(), actor, request.session?.id, request.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/reauthenticate',
    {
      config: { ...auth, noStore: true, rateLimit: perIp(app, 10, 15 * 60_000) },
      schema: {
        operationId: 'auth.reauthenticate',
        tags,
        summary: 'Confirm it is you, so sensitive actions are allowed for REAUTH_WINDOW',
        description:
          'Send exactly one of `password` and `code` (a TOTP code, with two-factor sign-in on). Wrong answers spend the sign-in budgets.',
        body: ReauthenticateRequest,
        response: { 200: Reauthenticated },
      },
    },
    async (request) =>
      reauthenticate(
        context,
        request.me(),
        { id: request.me().id, ip: request.ip },
        request.session?.id,
        request.body,
      ),
  );

  app.get(
    '/auth/sessions',
    {
      config: auth,
      schema: {
        operationId: 'auth.listSessions',
        tags,
        summary: 'Your live sessions',
        response: { 200: SessionList },
      },
    },
    async (request) => listSessions(context.db, request.me().id, request.session?.id),
  );

  app.delete(
    '/auth/sessions/:id',
    {
      config: auth,
      schema: {
        operationId: 'auth.revokeSession',
        tags,
        summary: 'End one of your sessions',
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await endOwnSession(context, request.me().id, request.params.id);
      return reply.status(204).send(null);
    },
  );
};
