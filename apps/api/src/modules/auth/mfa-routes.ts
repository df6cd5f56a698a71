import {
  ConfirmTotpRequest,
  DisableMfaRequest,
  MfaStatus,
  NoContent,
  RecoveryCodes,
  TotpEnrollment,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { perIp } from './limiter.js';
import {
  confirmTotp,
  disableTotp,
  mfaStatus,
  regenerateRecoveryCodes,
  startTotpEnrollment,
} from './mfa-service.js';
import type { AuthContext } from './service.js';

const actorOf = (request: FastifyRequest) => ({ id: request.me().id, ip: request.ip });

/**
 * Two-factor sign-in (TOTP) of the signed-in user. Every change needs a recent password or 2FA
 * check (`reauth`); answers carrying secrets or codes are never cached.
 */
export const mfaRoutes: FastifyPluginAsyncTypebox<{ context: AuthContext }> = async (
  app,
  { context },
) => {
  const tags = ['auth'];
  // 409: two-factor sign-in is already on, or not on yet.
  const sensitive = { auth: true, reauth: true, noStore: true, errors: [409] };

  app.get(
    '/auth/mfa',
    {
      config: { auth: true },
      schema: {
        operationId: 'auth.mfa.getStatus',
        tags,
        summary: 'Whether two-factor sign-in is on, and how many recovery codes are left',
        response: { 200: MfaStatus },
      },
    },
    async (request) => mfaStatus(context, request.me()),
  );

  app.post(
    '/auth/mfa/totp',
    {
      config: sensitive,
      schema: {
        operationId: 'auth.mfa.enrolTotp',
        tags,
        summary: 'Start turning on two-factor sign-in: a new TOTP secret and its QR code',
        description:
          'Add the secret to an authenticator app (scan `qrCode` or type `secret`), then confirm a code at POST /auth/mfa/totp/confirm. Starting again replaces an unconfirmed secret; 409 when two-factor sign-in is on.',
        response: { 200: TotpEnrollment },
      },
    },
    async (request) => startTotpEnrollment(context, request.me()),
  );

  app.post(
    '/auth/mfa/totp/confirm',
    {
      config: { ...sensitive, rateLimit: perIp(app, 10, 15 * 60_000) },
      schema: {
        operationId: 'auth.mfa.confirmTotp',
        tags,
        summary: 'Turn on two-factor sign-in with a first code; answers ten recovery codes, once',
        body: ConfirmTotpRequest,
        response: { 200: RecoveryCodes },
      },
    },
    async (request) => confirmTotp(context, request.me(), actorOf(request), request.body.code),
  );

  app.post(
    '/auth/mfa/recovery-codes',
    {
      config: sensitive,
      schema: {
        operationId: 'auth.mfa.regenerateRecoveryCodes',
        tags,
        summary: 'Replace your recovery codes with ten new ones (the old ones stop working)',
        response: { 200: RecoveryCodes },
      },
    },
    async (request) => regenerateRecoveryCodes(context, request.me(), actorOf(request)),
  );

  app.post(
    '/auth/mfa/totp/disable',
    {
      config: { ...sensitive, rateLimit: perIp(app, 10, 15 * 60_000) },
      schema: {
        operationId: 'auth.mfa.disableTotp',
        tags,
        summary: 'Turn off two-factor sign-in; needs a current code or your password',
        description:
          'Send exactly one of `code` and `password`. 403 when MFA_REQUIRED_FOR covers your account.',
        body: DisableMfaRequest,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await disableTotp(context, request.me(), actorOf(request), request.body);
      return reply.status(204).send(null);
    },
  );
};
