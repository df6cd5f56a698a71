import {
  Accepted,
  NoContent,
  PasswordResetConfirm,
  PasswordResetRequest,
  VerifyEmailRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { perIp } from './limiter.js';
import { confirmPasswordReset, requestPasswordReset, verifyEmail } from './recovery-service.js';
import type { AuthContext } from './service.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/** Getting back into an account by email: password reset and address verification. */
export const recoveryRoutes: FastifyPluginAsyncTypebox<{ context: AuthContext }> = async (
  app,
  { context },
) => {
  const tags = ['auth'];
  const afterReply = backgroundTasks(app);

  app.post(
    '/auth/password-reset/request',
    {
      config: { rateLimit: perIp(app, 10, FIFTEEN_MINUTES) },
      schema: {
        operationId: 'auth.requestPasswordReset',
        tags,
        summary: 'Email a password-reset link (always 202, whether or not the account exists)',
        body: PasswordResetRequest,
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      // Answered before any work: an account's token and email took measurably longer than
      // nothing at all, which told who has an account.
      await reply.status(202).send({ status: 'accepted' });
      afterReply(request, () => requestPasswordReset(app.db, request.body.email));
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      config: { rateLimit: perIp(app, 10, FIFTEEN_MINUTES) },
      schema: {
        operationId: 'auth.resetPassword',
        tags,
        summary: 'Set a new password with a reset token; ends every session',
        body: PasswordResetConfirm,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(context, request.body, request.ip);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/verify-email',
    {
      config: { rateLimit: perIp(app, 10, FIFTEEN_MINUTES) },
      schema: {
        operationId: 'auth.verifyEmail',
        tags,
        summary: 'Confirm an email address with the emailed token',
        body: VerifyEmailRequest,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await verifyEmail(context, request.body.token);
      return reply.status(204).send(null);
    },
  );
};

/**
 * Work that runs once its response is sent. Fastify does not wait for it, so closing the app
 * does, before the database goes; a failure is logged (the client has its answer already).
 */
function backgroundTasks(app: FastifyInstance) {
  const pending = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled(pending);
  });
  return (request: { log: FastifyInstance['log'] }, task: () => Promise<void>) => {
    const run = task()
      .catch((err: unknown) => request.log.error({ err }, 'background work after a reply failed'))
      .finally(() => pending.delete(run));
    pending.add(run);
  };
}
