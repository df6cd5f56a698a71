import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { typeErrors } from '@atrium/client/testing';
import createClient from 'openapi-fetch';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiDocument } from '../src/api-document.js';
import {
  CLIENT_SCHEMA_FILE,
  clientSchemaSource,
  knownFieldsOnly,
  versionedPaths,
} from '../src/client-schema.js';
import type { TestApp } from './auth-support.js';
import { signUp } from './auth-support.js';
import { testApp } from './support.js';

describe('the route map of @atrium/client', () => {
  it('is what `pnpm client:generate` writes from the current document', async () => {
    const committed = readFileSync(CLIENT_SCHEMA_FILE, 'utf8');
    const now = await clientSchemaSource(await apiDocument());
    // On a failure, run `pnpm client:generate` and commit the file.
    expect(committed === now, 'packages/client/src/schema.gen.ts is stale').toBe(true);
  }, 120_000);

  it('keeps the versioned paths without their prefix and leaves the operations endpoints out', () => {
    const get = { responses: {} };
    const document = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: { '/health': { get }, '/api/v1/orgs/{orgId}': { get }, '/api/v10/x': { get } },
    } as unknown as OpenAPI3;
    const versioned = versionedPaths(document);
    expect(Object.keys(versioned.paths ?? {})).toEqual(['/orgs/{orgId}']);
    expect(versioned.servers?.map((server) => server.url)).toEqual(['/api/v1']);
  });
});

describe('the route map types the known fields of open response schemas', () => {
  it('drops additionalProperties: true beside properties, keeps it on free-form objects', () => {
    const schema = {
      type: 'object',
      properties: { item: { type: 'object', properties: {}, additionalProperties: true } },
      additionalProperties: true,
      anyOf: [{ type: 'object', additionalProperties: true }],
    };
    expect(knownFieldsOnly(schema)).toEqual({
      type: 'object',
      properties: { item: { type: 'object', properties: {} } },
      anyOf: [{ type: 'object', additionalProperties: true }],
    });
  });

  it('keeps additionalProperties: false and schemas', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'string' } },
      additionalProperties: { type: 'string' },
    };
    expect(knownFieldsOnly(schema)).toEqual(schema);
    const closed = { type: 'object', properties: {}, additionalProperties: false };
    expect(knownFieldsOnly(closed)).toEqual(closed);
  });
});

describe('openapi-typescript + openapi-fetch on /docs/json, as a frontend team would use them', () => {
  let app: TestApp;
  let url: string;
  let source: string;

  beforeAll(async () => {
    app = await testApp();
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const document = await (await fetch(`${url}/docs/json`)).json();
    source = astToString(await openapiTS(document as OpenAPI3, { silent: true }));
  });
  afterAll(() => app.dispose());

  it('generates types that accept a right call and refuse a wrong one', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const files = {
      [`${here}__api.gen.ts`]: source,
      [`${here}__right.ts`]: `import createClient from 'openapi-fetch';
import type { paths } from './__api.gen.js';
const client = createClient<paths>({ baseUrl: 'http://localhost:3000' });
export const call = (orgId: string, id: string) =>
  client.GET('/api/v1/orgs/{orgId}/interactions/{id}', { params: { path: { orgId, id } } });
`,
      [`${here}__wrong.ts`]: `import createClient from 'openapi-fetch';
import type { paths } from './__api.gen.js';
const client = createClient<paths>({ baseUrl: 'http://localhost:3000' });
export const call = (orgId: string) =>
  client.GET('/api/v1/orgs/{orgId}/interactions/{id}', { params: { path: { orgId } } });
`,
    };
    const errors = typeErrors(files);
    expect(errors[`${here}__right.ts`]).toEqual([]);
    expect(errors[`${here}__wrong.ts`]?.join()).toContain("Property 'id' is missing");
  }, 120_000);

  it('calls the running API with the plain openapi-fetch client', async () => {
    const user = await signUp(app);
    const client = createClient({
      baseUrl: url,
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    // The types were checked above; at run time openapi-fetch needs none (hence `as never`).
    const { data, error } = await client.GET('/api/v1/auth/me' as never);
    expect(error).toBeUndefined();
    expect(data).toMatchObject({ id: user.user.id });
    const denied = await createClient({ baseUrl: url }).GET('/api/v1/auth/me' as never);
    expect(denied.response.status).toBe(401);
    expect(denied.error).toMatchObject({ code: 'unauthorized' });
  });
});
