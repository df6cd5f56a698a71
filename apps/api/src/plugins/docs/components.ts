import * as contracts from '@atrium/contracts';

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects and unions of them get a name; a bare string or number reads better inline. */
const isNameable = (schema: Schema) =>
  schema.type === 'object' ||
  (['anyOf', 'oneOf'] as const).some(
    (keyword) => Array.isArray(schema[keyword]) && schema[keyword].some(isNameable),
  );

/** The same JSON whatever order the keys were written in. */
const canonical = (schema: unknown) =>
  JSON.stringify(schema, (_key, value: unknown) =>
    isSchema(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );

/**
 * The contract schemas by their JSON, named by their export: `User` is whatever has User's shape,
 * however a route got it (TypeBox composes by copying, so identity says nothing). Two exports of
 * the same shape take the first name in alphabetical order.
 */
function contractNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(contracts).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/^[A-Z]/.test(name) || !isSchema(value) || !isNameable(value)) continue;
    const key = canonical(value);
    if (!names.has(key)) names.set(key, name);
  }
  return names;
}

const CHILD_MAPS = ['properties', 'patternProperties', '$defs'] as const;
const CHILD_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const CHILDREN = ['items', 'additionalProperties', 'not', 'if', 'then', 'else'] as const;

/**
 * Replaces every contract schema inside a route's body or response by a reference to
 * `#/components/schemas/<Name>`, and collects those it referenced (and the ones they reference)
 * for `components.schemas`: each shape is written once and a generated client gets one `User`.
 */
export class SchemaComponents {
  readonly #names = contractNames();
  readonly #used = new Map<string, Schema>();

  /** `schema` with the named schemas inside it (itself included) replaced by references. */
  reference(schema: unknown): unknown {
    if (!isSchema(schema)) return schema;
    const name = this.#names.get(canonical(schema));
    if (name) {
      if (!this.#used.has(name)) {
        this.#used.set(name, {}); // a recursive schema refers to itself, not to a loop
        this.#used.set(name, this.#inner(schema));
      }
      return { $ref: `#/components/schemas/${name}` };
    }
    return this.#inner(schema);
  }

  /** Whether `schema` is one of the named contract schemas. */
  isNamed(schema: unknown): boolean {
    return this.#names.has(canonical(schema));
  }

  /** The name `schema` has in components, if it is a contract schema. */
  nameOf(schema: unknown): string | undefined {
    return this.#names.get(canonical(schema));
  }

  /** The named schemas referenced so far, by name. */
  schemas(): Record<string, Schema> {
    return Object.fromEntries([...this.#used].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** A copy of `schema` whose sub-schemas are referenced where named (the schema itself is not). */
  #inner(schema: Schema): Schema {
    // An `$id` would make the references inside resolve against it (Problem has one for addSchema).
    const { $id: _id, ...copy }: Schema = { ...schema };
    for (const key of CHILD_MAPS)
      if (isSchema(schema[key]))
        copy[key] = Object.fromEntries(
          Object.entries(schema[key]).map(([name, child]) => [name, this.reference(child)]),
        );
    for (const key of CHILD_LISTS)
      if (Array.isArray(schema[key])) copy[key] = schema[key].map((child) => this.reference(child));
    for (const key of CHILDREN) if (isSchema(schema[key])) copy[key] = this.reference(schema[key]);
    return copy;
  }
}

const defined = (entries: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));

/**
 * `schema` referenced, with the route's annotations beside the reference. A route may describe a
 * contract schema (`{ ...User, description }`): it is still User, the description is the route's.
 */
function withAnnotations(components: SchemaComponents, schema: Schema, keys: string[]) {
  if (components.isNamed(schema))
    return { schema: components.reference(schema) as Schema, notes: {} };
  const notes: Schema = {};
  const bare = { ...schema };
  for (const key of keys) {
    notes[key] = bare[key];
    delete bare[key];
  }
  return { schema: components.reference(bare) as Schema, notes: defined(notes) };
}

/** A route's body or response ready for @fastify/swagger, and the examples it had. */
export interface Referenced {
  schema: unknown;
  examples?: unknown[];
}

/**
 * A route's response as @fastify/swagger reads it, its schema referenced. The plugin resolves the
 * reference and keeps nothing beside it but what it reads from the raw response: the description
 * (the route's, or one made from the status and the name) and the headers. The examples go back to
 * the caller, which puts them on the media object itself.
 */
export function referenceResponse(
  components: SchemaComponents,
  status: string,
  response: unknown,
): Referenced {
  if (!isSchema(response)) return { schema: response };
  if (isSchema(response.content)) {
    const content = Object.fromEntries(
      Object.entries(response.content).map(([type, media]) => [
        type,
        isSchema(media) ? { ...media, schema: components.reference(media.schema) } : media,
      ]),
    );
    return { schema: { ...response, content } };
  }
  const { headers, examples, ...rest } = response;
  const { schema, notes } = withAnnotations(components, rest, ['description']);
  const description = notes.description ?? describe(status, components.nameOf(rest));
  return {
    schema: { ...schema, ...defined({ description, headers }) },
    examples: examples as unknown[] | undefined,
  };
}

/** A request body referenced; its description stays beside the reference, examples go back. */
export function referenceBody(components: SchemaComponents, body: unknown): Referenced {
  if (!isSchema(body) || isSchema(body.content)) return { schema: body };
  const { examples, ...rest } = body;
  const { schema, notes } = withAnnotations(components, rest, ['description']);
  return { schema: { ...schema, ...notes }, examples: examples as unknown[] | undefined };
}

/** `InteractionPage` → `interaction page` */
const words = (name: string) => name.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();

/**
 * A response's description when the route gives none, from its status and its schema's name
 * (`201 Interaction` → "Created: the new interaction"). A route describes what this cannot say.
 */
function describe(status: string, name: string | undefined): string {
  const what = name ? words(name) : 'result';
  const page = /^(.*) page$/.exec(what);
  if (page) return `One page of ${page[1]} items; pass \`nextCursor\` as \`cursor\` for the next`;
  const list = /^(.*) list$/.exec(what);
  if (list && status === '200') return `Every ${list[1]}`;
  if (status === '201') return `Created: the new ${what}`;
  if (status === '202') return 'Accepted: the work goes on in the background';
  if (status === '304') return 'Not modified: the `If-None-Match` ETag is still current';
  if (status === '204') return 'Done; no body';
  return `The ${what}`;
}
