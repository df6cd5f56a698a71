import { PROBLEM_CONTENT_TYPE } from '@atrium/contracts';
import { s3Storage } from '@atrium/storage/s3';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsPlugin } from '../src/plugins/docs/index.js';
import { OPERATION_ID } from '../src/plugins/docs/operations.js';
import { TEST_REDIS_URL, testApp, testConfig } from './support.js';

type Media = { schema?: { $ref?: string }; example?: unknown };
type Response = {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, Media>;
};
type Operation = {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, Response>;
};
type Document = {
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

let app: Awaited<ReturnType<typeof testApp>>;
let document: Document;
let operations: [string, Operation][];
const byName = () => new Map(operations);
const op = (name: string) => {
  const found = byName().get(name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
};

const operationsOf = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, o]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      o,
    ]),
  );

beforeAll(async () => {
  app = await testApp();
  await app.ready();
  document = app.swagger() as unknown as Document;
  operations = operationsOf(document);
});
afterAll(() => app.dispose());

describe('OpenAPI operations', () => {
  it('names every operation with a unique feature.action operationId', () => {
    expect(operations.length).toBeGreaterThan(100);
    const ids = operations.map(([, o]) => o.operationId);
    for (const [name, o] of operations) expect(o.operationId, name).toMatch(OPERATION_ID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(op('GET /api/v1/orgs/{orgId}/interactions/{id}').operationId).toBe('interactions.get');
    expect(op('POST /api/v1/auth/login').operationId).toBe('auth.login');
  });

  it('refuses to register a documented route without an operationId, or with a taken one', async () => {
    const bare = Fastify();
    await bare.register(docsPlugin, { config: testConfig() });
    const schema = { tags: ['interactions'], summary: 'x' };
    expect(() => bare.get('/a', { schema }, async () => '')).toThrow(
      "GET /a: a documented route needs schema.operationId as feature.action (e.g. 'interactions.get'), or schema.hide",
    );
    expect(() =>
      bare.get('/b', { schema: { ...schema, operationId: 'getThing' } }, async () => ''),
    ).toThrow(/operationId as feature\.action/);
    bare.get('/c', { schema: { ...schema, operationId: 'things.get' } }, async () => '');
    expect(() =>
      bare.get('/d', { schema: { ...schema, operationId: 'things.get' } }, async () => ''),
    ).toThrow("GET /d: operationId 'things.get' is already GET /c's");
    expect(() =>
      bare.get('/e', { schema: { operationId: 'things.list', tags: ['nope'] } }, async () => ''),
    ).toThrow('GET /e: tags must be from plugins/docs/tags.ts (got nope)');
    expect(() => bare.get('/f', { schema: { hide: true } }, async () => '')).not.toThrow();
    await bare.close();
  });

  it('defines every tag globally with a description, and uses each', () => {
    const defined = new Map(document.tags.map((tag) => [tag.name, tag.description]));
    const used = new Set(operations.flatMap(([, o]) => o.tags ?? []));
    for (const [name, o] of operations) {
      expect(o.tags?.length, name).toBeGreaterThan(0);
      for (const tag of o.tags ?? []) expect(defined.get(tag), `${name}: ${tag}`).toBeTruthy();
    }
    expect([...defined.keys()].sort()).toEqual([...used].sort());
  });

  it('declares bearer security on every operation that can answer 401, every org route included', () => {
    const orgRoutes = operations.filter(([name]) => name.includes('/orgs/{orgId}'));
    expect(orgRoutes.length).toBeGreaterThan(15);
    for (const [name, o] of operations) {
      if (!o.responses?.['401']) continue;
      expect(o.security, name).toEqual(expect.arrayContaining([{ bearerAuth: [] }]));
    }
    for (const [name, o] of orgRoutes) expect(o.security, name).toEqual([{ bearerAuth: [] }]);
  });

  // The access hook is added to each route as it is registered (the `security` above comes from
  // the same route config): every operation that documents a bearer token must enforce it.
  it('refuses an anonymous call to every operation that needs a bearer token, with 401', async () => {
    const guarded = operations.filter(
      ([, o]) => JSON.stringify(o.security) === JSON.stringify([{ bearerAuth: [] }]),
    );
    expect(guarded.length).toBeGreaterThan(80);
    for (const [name] of guarded) {
      const [method, path] = name.split(' ') as [string, string];
      const url = path.replace(/\{[^}]+\}/g, '0190c6e0-7a4b-7c61-8d2e-6f1a2b3c4d5e');
      const response = await app.inject({
        method: method as 'GET',
        url,
        ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
      });
      expect(response.statusCode, name).toBe(401);
      expect(response.headers['content-type'], name).toMatch(PROBLEM_CONTENT_TYPE);
    }
  });

  it('refuses an access check added after the routes it would have guarded', () => {
    expect(() => app.addAccessCheck(() => undefined)).toThrow(
      'addAccessCheck: add access checks before the routes they guard',
    );
  });

  it('describes every response (no "Default Response")', () => {
    for (const [name, o] of operations)
      for (const [status, response] of Object.entries(o.responses ?? {})) {
        expect(response.description, `${name} ${status}`).toBeTruthy();
        expect(response.description, `${name} ${status}`).not.toBe('Default Response');
      }
    expect(op('POST /api/v1/orgs/{orgId}/interactions').responses?.['201']?.description).toBe(
      'The interaction as recorded, at version 1',
    );
  });
});

describe('OpenAPI schemas', () => {
  const json = () => JSON.stringify(document.paths);

  it('writes each contract schema once in components and refers to it', () => {
    const { schemas } = document.components;
    for (const name of ['User', 'Interaction', 'Problem', 'Organization', 'InteractionInput'])
      expect(schemas[name], name).toBeDefined();
    expect(json().split('"#/components/schemas/User"').length - 1).toBeGreaterThan(5);
    // User's shape appears nowhere inline: only the component holds its properties.
    expect(json()).toContain('"emailVerified":false'); // in an example: a value, not a schema
    expect(json()).not.toMatch(/"emailVerified":\{/);
    const holders = Object.entries(schemas).filter(([, schema]) =>
      JSON.stringify(schema).includes('"emailVerified"'),
    );
    expect(holders.map(([name]) => name)).toEqual(['User']);
    expect(op('GET /api/v1/auth/me').responses?.['200']?.content?.['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/User' },
    });
  });

  it('references only schemas that exist, and every component is referenced', () => {
    const all = JSON.stringify(document);
    const referenced = new Set(
      [...all.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]),
    );
    expect([...referenced].sort()).toEqual(Object.keys(document.components.schemas).sort());
  });

  it('leaves response schemas open so newer fields pass older clients, request schemas closed', () => {
    const closedIn = (value: unknown): boolean =>
      typeof value === 'object' &&
      value !== null &&
      ((value as Record<string, unknown>).additionalProperties === false ||
        Object.values(value).some(closedIn));
    const { schemas } = document.components;
    for (const name of ['User', 'Interaction', 'InteractionPage', 'Organization', 'Problem'])
      expect(closedIn(schemas[name]), name).toBe(false);
    for (const name of ['InteractionInput', 'UpdateMeRequest', 'LoginRequest'])
      expect(closedIn(schemas[name]), name).toBe(true);
  });

  it('documents the CSV exports as text/csv and the event stream as text/event-stream', () => {
    for (const name of [
      'GET /api/v1/orgs/{orgId}/interactions/export',
      'GET /api/v1/form-submissions/export',
    ]) {
      const ok = op(name).responses?.['200'];
      expect(Object.keys(ok?.content ?? {}), name).toEqual(['text/csv']);
      expect(ok?.headers, name).toHaveProperty('content-disposition');
    }
    const events = op('GET /api/v1/events').responses?.['200'];
    expect(Object.keys(events?.content ?? {})).toEqual(['text/event-stream']);
  });

  it('documents ETag where it is sent and Retry-After on 429 and 503', () => {
    for (const [name, status] of [
      ['GET /api/v1/orgs/{orgId}/interactions/{id}', '200'],
      ['POST /api/v1/orgs/{orgId}/interactions', '201'],
      ['PATCH /api/v1/orgs/{orgId}/interactions/{id}', '200'],
    ] as const)
      expect(op(name).responses?.[status]?.headers, name).toHaveProperty('etag');
    for (const [name, o] of operations)
      expect(o.responses?.['429']?.headers, name).toHaveProperty('retry-after');
    expect(op('POST /api/v1/contact').responses?.['422']).toBeDefined();
  });

  it('shows examples on the main operations', () => {
    const create = op('POST /api/v1/orgs/{orgId}/interactions');
    expect(create.requestBody?.content?.['application/json']?.example).toMatchObject({
      type: 'meeting',
    });
    expect(create.responses?.['201']?.content?.['application/json']?.example).toMatchObject({
      version: 1,
    });
    for (const name of [
      'GET /api/v1/orgs/{orgId}/interactions',
      'GET /api/v1/orgs/{orgId}/interactions/{id}',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/register',
      'POST /api/v1/orgs',
    ]) {
      const examples = JSON.stringify(op(name)).includes('"example"');
      expect(examples, name).toBe(true);
    }
  });
});

describe('OpenAPI error responses', () => {
  it('documents the errors of every operation as problem+json', () => {
    for (const [name, o] of operations) {
      const errors = Object.entries(o.responses ?? {}).filter(([status]) => Number(status) >= 400);
      expect(
        errors.map(([status]) => status),
        name,
      ).toEqual(expect.arrayContaining(['429', '500']));
      for (const [status, response] of errors) {
        // Readiness answers 503 with the health report itself, which probes read.
        if (name === 'GET /health' && status === '503') continue;
        expect(Object.keys(response.content ?? {}), `${name} ${status}`).toEqual([
          PROBLEM_CONTENT_TYPE,
        ]);
      }
    }
  });

  it('documents 401 and 403 where the route declares access, 404 where it takes an id, 409/412 where thrown', () => {
    const statuses = (name: string) => Object.keys(op(name).responses ?? {});
    expect(statuses('GET /api/v1/users/{id}')).toEqual(
      expect.arrayContaining(['400', '401', '403', '404']),
    );
    expect(statuses('PATCH /api/v1/orgs/{orgId}/interactions/{id}')).toEqual(
      expect.arrayContaining(['400', '401', '403', '404', '412', '413', '415']),
    );
    expect(statuses('POST /api/v1/orgs')).toContain('409');
    expect(statuses('GET /api/v1/interaction-types')).not.toContain('401');
  });
});

describe('OpenAPI in every mode', () => {
  it('is the same document with Redis and S3 as without', async () => {
    const storage = s3Storage({
      bucket: 'docs',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'docs', secretAccessKey: 'docs-secret' },
    });
    const other = await testApp(
      {
        REDIS_URL: TEST_REDIS_URL,
        STORAGE_DRIVER: 's3',
        S3_BUCKET: 'docs',
        S3_REGION: 'us-east-1',
        S3_ENDPOINT: 'http://127.0.0.1:9',
      },
      { storage },
    );
    try {
      await other.ready();
      const otherDocument = other.swagger() as unknown as Document;
      expect(JSON.stringify(otherDocument.paths)).toEqual(JSON.stringify(document.paths));
      expect(otherDocument.components).toEqual(document.components);
    } finally {
      await other.dispose();
    }
  });
});
