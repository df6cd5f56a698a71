import { InteractionPatch, User } from '@atrium/contracts';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedSchemasPlugin, openObjectPaths } from '../src/plugins/closed-schemas.js';
import { sample } from './interactions-support.js';
import { testApp } from './support.js';
import { orgOf, person } from './tenant-support.js';

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

describe('unknown body fields', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(() => app.dispose());

  it('answers PATCH /auth/me {"fullname"} with 400 naming the field, and changes nothing', async () => {
    const me = await person(app);
    const before = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: me.headers });
    const response = await app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: me.headers,
      payload: { fullname: 'Ada Lovelace', bio: 'Analyst' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'validation_failed' });
    expect(response.json().errors).toEqual([
      { path: '/body/fullname', message: 'is not an accepted field' },
    ]);
    const after = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: me.headers });
    expect(after.json()).toEqual(before.json());
    expect(after.json().bio).toBeNull();
  });

  it('names every unknown field and creates nothing', async () => {
    const me = await person(app);
    const orgId = await orgOf(app, me);
    const url = `/api/v1/orgs/${orgId}/interactions`;
    const response = await app.inject({
      method: 'POST',
      url,
      headers: me.headers,
      payload: { ...sample(), orgId: 'another-org', createdBy: me.id },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual(
      expect.arrayContaining([
        { path: '/body/orgId', message: 'is not an accepted field' },
        { path: '/body/createdBy', message: 'is not an accepted field' },
      ]),
    );
    const list = await app.inject({ method: 'GET', url, headers: me.headers });
    expect(list.json().items).toEqual([]);
  });

  it('still sends only the fields a response schema names (open schemas do not leak)', async () => {
    const me = await person(app);
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: me.headers,
    });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json()).sort()).toEqual(Object.keys(User.properties).sort());
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
