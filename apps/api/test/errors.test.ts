import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support.js';

let app: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  app = await testApp({ BODY_LIMIT: '2048' });
  // Routes that exist only in this test, to exercise what every module's routes go through.
  app.post(
    '/echo',
    {
      schema: {
        hide: true,
        body: Type.Object(
          { email: Type.String({ format: 'email' }), age: Type.Integer({ minimum: 0 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => request.body,
  );
  app.get('/boom', { schema: { hide: true } }, async () => {
    throw new Error('connection to 10.0.0.5 failed: password authentication failed for "admin"');
  });
});
afterAll(() => app.dispose());

const expectProblem = (
  response: Awaited<ReturnType<typeof app.inject>>,
  status: number,
  code: string,
) => {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json();
  expect(body).toMatchObject({
    status,
    code,
    type: `urn:atrium:problem:${code.replace(/_/g, '-')}`,
  });
  expect(body.title).toBeTypeOf('string');
  expect(body.detail).toBeTypeOf('string');
  return body;
};

describe('errors are problem+json', () => {
  it('answers an unknown route with 404 not_found', async () => {
    const body = expectProblem(
      await app.inject({ method: 'GET', url: '/nope?x=1' }),
      404,
      'not_found',
    );
    expect(body.detail).toBe('No route matches GET /nope.');
  });

  it('answers malformed JSON with 400 malformed_json and runs no handler', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "a@b.co", ',
    });
    expectProblem(response, 400, 'malformed_json');
  });

  it('lists every invalid field with its path on a schema violation', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: { email: 'not-an-email', age: -1 },
    });
    const body = expectProblem(response, 400, 'validation_failed');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/body/age',
      '/body/email',
    ]);
  });

  it('names a missing required field', async () => {
    const body = expectProblem(
      await app.inject({ method: 'POST', url: '/echo', payload: { age: 3 } }),
      400,
      'validation_failed',
    );
    expect(body.errors).toEqual([{ path: '/body/email', message: 'is required' }]);
  });

  it('refuses unknown fields with 400, naming each, instead of dropping them', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: { email: 'a@b.co', age: 3, admin: true, orgId: 'x' },
    });
    const body = expectProblem(response, 400, 'validation_failed');
    expect(body.errors).toEqual([
      { path: '/body/admin', message: 'is not an accepted field' },
      { path: '/body/orgId', message: 'is not an accepted field' },
    ]);
  });

  it('refuses an oversize body with 413 payload_too_large', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: { email: 'a@b.co', age: 1, padding: 'x'.repeat(4096) },
    });
    expectProblem(response, 413, 'payload_too_large');
  });

  it('refuses a body of an unsupported media type with 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<email>a@b.co</email>',
    });
    expectProblem(response, 415, 'unsupported_media_type');
  });

  it('answers an unexpected error with 500 and no internals', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/boom',
      headers: { 'x-request-id': 'req-42' },
    });
    const body = expectProblem(response, 500, 'internal_error');
    expect(response.body).not.toMatch(/10\.0\.0\.5|password|admin|stack|at /);
    expect(body.requestId).toBe('req-42');
  });
});

describe('request ids', () => {
  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const kept = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'bad id\twith junk' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
