import { NoContent, QueuesDashboard } from '@atrium/contracts';
import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFound } from '../../errors.js';

/**
 * A browser navigating to the queue dashboard cannot send a bearer header. An admin signed in
 * elsewhere (the web app, or Swagger UI's "Try it out") posts here with the bearer token, and the
 * browser then carries that same token to the dashboard's paths only, in an HttpOnly, SameSite
 * cookie that expires with it. The dashboard checks it exactly like the header: a logout or a
 * lost permission takes effect at once. Declared in every mode, so the API document is the same
 * with and without Redis; without Redis there is no dashboard to open (404).
 */
export const queueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { path, cookie } = QueuesDashboard;
  // Here and in the dashboard's own scope only: its hooks would otherwise run on every request.
  await app.register(fastifyCookie);
  app.post(
    '/admin/queues/session',
    {
      // The cookie carries the access token: no cache may keep this answer.
      config: { permission: 'queues:admin', noStore: true },
      schema: {
        operationId: 'queues.openDashboard',
        tags: ['admin'],
        summary: 'Open the queue dashboard in this browser',
        description: `Sets the \`${cookie}\` cookie (HttpOnly, SameSite=Strict, path ${path}) to this request's access token, until the token expires; then open ${path}. Answers 404 when the API runs without Redis (no dashboard).`,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      if (!app.config.redisUrl) throw new NotFound('queue dashboard');
      const token = (request.headers.authorization ?? '').replace(/^Bearer /i, '');
      const { exp } = app.jwt.decode<{ exp?: number }>(token) ?? {};
      const maxAge = exp ? Math.max(0, exp - Math.floor(Date.now() / 1000)) : 0;
      reply.setCookie(cookie, token, {
        path,
        httpOnly: true,
        sameSite: 'strict',
        secure: 'auto', // over HTTPS, also behind a proxy when TRUST_PROXY is set
        maxAge,
      });
      return reply.status(204).send(null);
    },
  );
};
