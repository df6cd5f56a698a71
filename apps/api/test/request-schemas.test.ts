import { InteractionPatch } from '@atrium/contracts';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedSchemasPlugin, openObjectPaths } from '../src/plugins/closed-schemas.js';
import { testApp } from './support.js';
import { person } from './tenant-support.js';

const Closed = Type.Object({ a: Type.String(), b: Type.Number() }, { additionalProperties: false });

describe('the real app', () => {
  let app: Awaited<ReturnType<typeof testApp>> | undefined;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(() => app?.dispose());

  // The check runs on every route as it is registered (plugins' routes too): an open params, query
  // string or body schema anywhere makes buildApp throw, naming the route and the open object.
  it('builds: every route’s params, query string and body refuse undeclared fields', async () => {
    expect(app).toBeDefined();
    await app!.ready();
  });

  it('answers an unknown query parameter with 400 naming it', async () => {
    const me = await person(app!);
    const response = await app!.inject({
      method: 'GET',
      url: '/api/v1/search?q=x&orgId=y',
      headers: me.headers,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { path: '/querystring/orgId', message: 'is not an accepted field' },
    ]);
  });
});

describe('openObjectPaths', () => {
  it.each([
    ['Type.Partial', Type.Partial(Closed), ['/']],
    ['Type.Pick', Type.Pick(Closed, ['a']), ['/']],
    ['Type.Omit', Type.Omit(Closed, ['a']), ['/']],
    ['a spread of properties', Type.Object({ ...Closed.properties }), ['/']],
    [
      'a nested object',
      Type.Object({ inner: Type.Object({ x: Type.String() }) }, { additionalProperties: false }),
      ['/inner'],
    ],
    [
      'an array of objects',
      Type.Object({ list: Type.Array(Type.Object({})) }, { additionalProperties: false }),
      ['/list/[]'],
    ],
    ['a union branch', Type.Union([Type.Null(), Type.Object({ x: Type.String() })]), ['/']],
    ['a closed object', Closed, []],
    ['a closed Partial', Type.Partial(Closed, { additionalProperties: false }), []],
    ['the interaction PATCH body', InteractionPatch, []],
  ])('finds the open objects of %s', (_, schema, expected) => {
    expect(openObjectPaths(schema)).toEqual(expected);
  });
});

describe('closedSchemasPlugin', () => {
  it('names the route and the part whose schema is open', async () => {
    const app = Fastify();
    await app.register(closedSchemasPlugin);
    expect(() =>
      app.get('/x/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async () => ''),
    ).toThrow('GET /x/:id: request schema must be closed (additionalProperties: false) at params');
    expect(() =>
      app.get('/y', { schema: { querystring: Closed, headers: Type.Object({}) } }, async () => ''),
    ).not.toThrow();
    await app.close();
  });
});
