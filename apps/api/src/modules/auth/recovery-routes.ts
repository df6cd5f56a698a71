import { hashPassword } from '@atrium/auth';
import {
  Accepted,
  NoContent,
  PasswordResetConfirm,
  PasswordResetRequest,
  VerifyEmailRequest,
} from '@atrium/contracts';
import { sessions, users } from '@atrium/db';
import { eq, sql } from '@atrium/db/orm';
import { revokeSessions } from '@atrium/db/queries';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertStrongPassword } from '../../accounts.js';
import { BadRequest } from '../../errors.js';
import { type LoginLimiter, perIp } from './limiter.js';
import { consumeOneTimeToken } from './one-time-tokens.js';
import { requestPasswordReset } from './recovery-service.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;
const BAD_TOKEN = 'The link is invalid, expired or already used; ask for a new one.';

export const recoveryRoutes: FastifyPluginAsyncTypebox<{ failures: LoginLimiter }> = async (
  app,
  { failures },
) => {
  const tags = ['auth'];
  const afterReply = backgroundTasks(app);

  app.post(
    '/auth/password-reset/request',
    {
      config: { rateLimit: perIp(app, 10, FIFTEEN_MINUTES) },
      schema: {
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
        tags,
        summary: 'Set a new password with a reset token; ends every session',
        body: PasswordResetConfirm,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const { token, newPassword } = request.body;
      // Check the policy first, so a weak password does not burn the token.
      await assertStrongPassword(newPassword, 'newPassword', []);
      const passwordHash = await hashPassword(newPassword);
      const userId = await app.db.transaction(async (tx) => {
        const owner = await consumeOneTimeToken(tx, token, 'password-reset');
        if (!owner) throw new BadRequest(BAD_TOKEN);
        await tx
          .update(users)
          .set({ passwordHash, updatedAt: sql`now()` })
          .where(eq(users.id, owner));
        await revokeSessions(tx, eq(sessions.userId, owner));
        await app.authChanged(tx);
        return owner;
      });
      // Guessing elsewhere may have spent the account's sign-in budget; the owner can sign in now.
      await failures.forgive(userId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/verify-email',
    {
      config: { rateLimit: perIp(app, 10, FIFTEEN_MINUTES) },
      schema: {
        tags,
        summary: 'Confirm an email address with the emailed token',
        body: VerifyEmailRequest,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await app.db.transaction(async (tx) => {
        const userId = await consumeOneTimeToken(tx, request.body.token, 'email-verification');
        if (!userId) throw new BadRequest(BAD_TOKEN);
        await tx
          .update(users)
          .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
          .where(eq(users.id, userId));
        await app.authChanged(tx);
      });
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
