import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * With EMAIL_VERIFICATION_REQUIRED=true, the caller's email address must be confirmed, or the
     * answer is 403 `email_not_verified` (org creation, sending messages).
     */
    verifiedEmail?: boolean;
  }
}

/** A check after authentication (`addAccessCheck`), on the routes that ask for it. */
export const verifiedEmailPlugin = fp(
  async (app: FastifyInstance) => {
    if (!app.config.emailVerificationRequired) return;
    app.addAccessCheck((config) => (config.verifiedEmail ? verified : undefined));
    function verified(request: FastifyRequest) {
      if (!request.me().emailVerified) {
        throw new HttpError(
          403,
          'email_not_verified',
          'Confirm your email address first; POST /auth/verify-email/resend sends a new link.',
        );
      }
    }
  },
  { name: 'verified-email', dependencies: ['auth'] },
);
