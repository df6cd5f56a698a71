import type { Config } from '@atrium/config';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import { referenceBody, referenceResponse, SchemaComponents } from './components.js';
import { operationCheck } from './operations.js';
import { redocRoutes } from './redoc.js';
import { TAGS } from './tags.js';

/** Examples by operationId: where a route put them (`documented`), on the media objects. */
type Examples = Map<string, { body?: unknown[]; responses: Record<string, unknown[]> }>;

/** A route's schema as the document shows it: contract schemas referenced from components. */
function referenced(
  components: SchemaComponents,
  examples: Examples,
  schema: FastifySchema,
): FastifySchema {
  const found: { body?: unknown[]; responses: Record<string, unknown[]> } = { responses: {} };
  const body = schema.body ? referenceBody(components, schema.body) : undefined;
  found.body = body?.examples;
  const responses = Object.entries((schema.response ?? {}) as Record<string, unknown>).map(
    ([status, response]) => {
      const { schema: referencedResponse, examples: given } = referenceResponse(
        components,
        status,
        response,
      );
      if (given) found.responses[status] = given;
      return [status, referencedResponse];
    },
  );
  if (schema.operationId && (found.body || Object.keys(found.responses).length))
    examples.set(schema.operationId, found);
  return {
    ...schema,
    ...(body ? { body: body.schema } : {}),
    ...(schema.response ? { response: Object.fromEntries(responses) } : {}),
  };
}

type Media = { content?: Record<string, { example?: unknown; examples?: unknown }> };

/** `examples: [a]` → the media object's `example: a`; several → named `examples`. */
function place(media: Media | undefined, given: unknown[] | undefined) {
  if (!media?.content || !given?.length) return;
  for (const entry of Object.values(media.content)) {
    if (given.length === 1) entry.example = given[0];
    else
      entry.examples = Object.fromEntries(
        given.map((value, index) => [`example${index + 1}`, { value }]),
      );
  }
}

/** Puts the examples the routes gave where OpenAPI wants them: beside the schema reference. */
function placeExamples(paths: Record<string, Record<string, unknown>>, examples: Examples) {
  for (const methods of Object.values(paths))
    for (const operation of Object.values(methods) as {
      operationId?: string;
      requestBody?: Media;
      responses?: Record<string, Media>;
    }[]) {
      const found = operation.operationId ? examples.get(operation.operationId) : undefined;
      if (!found) continue;
      place(operation.requestBody, found.body);
      for (const [status, given] of Object.entries(found.responses))
        place(operation.responses?.[status], given);
    }
}

/**
 * OpenAPI 3.1 generated from the route schemas (which come from @atrium/contracts), at /docs/json,
 * shown by Swagger UI at /docs and ReDoc at /redoc. The document is the same in every mode: a
 * route that needs Redis or a storage driver is registered always and answers 503/404 without it.
 */
export const docsPlugin = fp(
  async (app: FastifyInstance, { config }: { config: Config }) => {
    app.addHook('onRoute', operationCheck());
    const components = new SchemaComponents();
    const examples: Examples = new Map();
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Atrium API',
          version: config.version,
          description:
            'Interactions, accounts and sessions, organizations, messaging and reports, and a website backend (content, forms and leads, file uploads) in one API. Errors are ' +
            'RFC 9457 problem+json with a stable `code`; lists use keyset pagination (`limit`, `cursor`).\n\n' +
            '**New fields.** Responses may gain fields in any release without a new API version: ' +
            'a client must ignore fields it does not know (the schemas allow them). Requests are ' +
            'strict the other way: a field the API does not know is refused with 400 ' +
            '`validation_failed` naming it, never silently dropped.',
        },
        servers: [{ url: '/', description: 'This server' }],
        tags: TAGS,
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            // The access token `POST /upload/request` returns once; it reads that upload only.
            uploadToken: { type: 'apiKey', in: 'header', name: 'X-Upload-Token' },
          },
        },
      },
      transform: ({ schema, url }) => ({
        url,
        schema: schema && referenced(components, examples, schema),
      }),
      transformObject: (documents) => {
        if ('swaggerObject' in documents) return documents.swaggerObject;
        const document = documents.openapiObject;
        const schemas = { ...document.components?.schemas, ...components.schemas() };
        placeExamples(document.paths as Record<string, Record<string, unknown>>, examples);
        return { ...document, components: { ...document.components, schemas } } as typeof document;
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      // Its CSP ends in `upgrade-insecure-requests`, which over plain HTTP on any host but
      // localhost sends the browser to https for the assets: a blank page.
      transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/g, ''),
      // Tags start collapsed: with 130-odd operations expanded, Swagger UI stopped rendering after
      // the first few (seen in the browser test), and a reader opens the tag they want anyway.
      uiConfig: { deepLinking: true, persistAuthorization: false, docExpansion: 'none' },
    });
    redocRoutes(app);
  },
  { name: 'docs' },
);
