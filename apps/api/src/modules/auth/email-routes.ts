import {
  Accepted,
  ChangeEmailRequest,
  ConfirmEmailChangeRequest,
  NoContent,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { confirmEmailChange, requestEmailChange, resendVerification } from './email-service.js';
import { perIp } from './limiter.js';
import type { AuthContext } from './service.js';

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/** The account's email address: a new verification link, and moving to another address. */
export const emailRoutes: FastifyPluginAsyncTypebox<{ context: AuthContext }> = async (
  app,
  { context },
) => {
  const tags = ['auth'];

  app.post(
    '/auth/verify-email/resend',
    {
      config: { auth: true, rateLimit: perIp(app, 5, FIFTEEN_MINUTES), errors: [409] },
      schema: {
        operationId: 'auth.resendVerificationEmail',
        tags,
        summary: 'Email a new verification link to your address (409 when already verified)',
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      await resendVerification(context, request.me());
      return reply.status(202).send({ status: 'accepted' });
    },
  );

  app.post(
    '/auth/me/email',
    {
      config: {
        auth: true,
        reauth: true,
        rateLimit: perIp(app, 5, FIFTEEN_MINUTES),
        errors: [409],
      },
      schema: {
        operationId: 'auth.requestEmailChange',
        tags,
        summary: 'Change your email address',
        description:
          'Emails a confirmation link to the new address and a notice to the current one; the address changes when the link is used (POST /auth/me/email/confirm). 409 when another account has the address.',
        body: ChangeEmailRequest,
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      await requestEmailChange(context, request.me(), request.body.newEmail, request.ip);
      return reply.status(202).send({ status: 'accepted' });
    },
  );

  app.post(
    '/auth/me/email/confirm',
    {
      config: { rateLimit: perIp(app, 10, FIFTEEN_MINUTES), errors: [409] },
      schema: {
        operationId: 'auth.confirmEmailChange',
        tags,
        summary: 'Confirm a change of email address with the token sent to the new address',
        body: ConfirmEmailChangeRequest,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await confirmEmailChange(context, request.body.token, request.ip);
      return reply.status(204).send(null);
    },
  );
};
