import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';

type JsonSchema = Record<string, unknown>;

const isObjectSchema = (schema: JsonSchema) =>
  schema.type === 'object' || 'properties' in schema || 'patternProperties' in schema;

/** An object schema that refuses keys it does not name (a map keyed by pattern counts if closed). */
const isClosed = (schema: JsonSchema) =>
  schema.additionalProperties === false || schema.unevaluatedProperties === false;

/**
 * The JSON pointers of every object in `schema` that accepts properties it does not declare,
 * nested ones included. `Type.Partial`, `Type.Pick` and spreads of `.properties` drop
 * `additionalProperties: false`, so this looks at the schema as it is, not at how it was built.
 */
export function openObjectPaths(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as JsonSchema;
  const found: string[] = [];
  if (isObjectSchema(node) && !isClosed(node)) found.push(path || '/');
  const children: [string, unknown][] = [];
  for (const [key, value] of Object.entries((node.properties as JsonSchema) ?? {}))
    children.push([`${path}/${key}`, value]);
  for (const [key, value] of Object.entries((node.patternProperties as JsonSchema) ?? {}))
    children.push([`${path}/${key}`, value]);
  if (typeof node.additionalProperties === 'object')
    children.push([`${path}/*`, node.additionalProperties]);
  if (node.items) children.push([`${path}/[]`, node.items]);
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const)
    for (const branch of (node[keyword] as unknown[]) ?? []) children.push([path, branch]);
  for (const [childPath, child] of children) found.push(...openObjectPaths(child, childPath));
  return found;
}

/** Headers are left out: a request always carries more headers than a route names. */
const REQUEST_PARTS = ['params', 'querystring', 'body'] as const;

export function openRequestSchemas(route: Pick<RouteOptions, 'schema'>): string[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  return REQUEST_PARTS.flatMap((part) =>
    openObjectPaths(schema[part]).map((path) => `${part}${path === '/' ? '' : path}`),
  );
}

/**
 * Refuses to register a route whose params, query string or body accept undeclared fields: with
 * such a schema an unknown field reaches the handler (the cross-tenant PATCH of issue #13 came in
 * that way). Registered first, so it sees every route, the plugins' ones included.
 */
export const closedSchemasPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      const open = openRequestSchemas(route);
      if (open.length)
        throw new Error(
          `${route.method} ${route.url}: request schema must be closed (additionalProperties: false) at ${open.join(', ')}`,
        );
    });
  },
  { name: 'closed-schemas' },
);
