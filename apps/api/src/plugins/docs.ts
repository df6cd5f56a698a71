import type { Config } from '@atrium/config';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** OpenAPI 3.1 generated from the route schemas (which come from @atrium/contracts). */
export const docsPlugin = fp(
  async (app: FastifyInstance, { config }: { config: Config }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Atrium API',
          version: config.version,
          description:
            'Interactions, accounts and sessions, organizations, messaging and reports, and a website backend (content, forms and leads, file uploads) in one API. Errors are ' +
            'RFC 9457 problem+json with a stable `code`; lists use keyset pagination (`limit`, `cursor`).',
        },
        servers: [{ url: '/' }],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            // The access token `POST /upload/request` returns once; it reads that upload only.
            uploadToken: { type: 'apiKey', in: 'header', name: 'X-Upload-Token' },
          },
        },
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      uiConfig: { deepLinking: true },
    });
  },
  { name: 'docs' },
);
