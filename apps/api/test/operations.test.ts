import SwaggerParser from '@apidevtools/swagger-parser';
import { createDatabase } from '@atrium/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { TEST_REDIS_URL, testApp, testConfig } from './support.js';

let app: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  app = await testApp({ REDIS_URL: TEST_REDIS_URL });
});
afterAll(() => app.dispose());

describe('GET /health', () => {
  it('reports the database and Redis up', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      environment: 'test',
      database: 'up',
      redis: 'up',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(Date.parse(response.json().timestamp)).not.toBeNaN();
  });

  it('answers 503 when the database is unreachable', async () => {
    const database = await createDatabase({ url: 'postgres://postgres@127.0.0.1:1/none' });
    const down = await buildApp(testConfig(), { database });
    try {
      const response = await down.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        status: 'down',
        database: 'down',
        redis: 'disabled',
      });
    } finally {
      await down.close();
      await database.close();
    }
  });

  it('reports degraded when Redis is configured but unreachable', async () => {
    const degraded = await testApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const response = await degraded.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ status: 'degraded', database: 'up', redis: 'down' });
    } finally {
      await degraded.dispose();
    }
  });

  it('has a liveness probe that needs nothing', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.json()).toEqual({ status: 'ok' });
  });
});

describe('API documentation', () => {
  it('serves a valid OpenAPI 3 document generated from the route schemas', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(document));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/health/live']),
    );
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('swagger');
  });
});

describe('GET /metrics', () => {
  it('exports process metrics and request latency by route template', async () => {
    await app.inject({ method: 'GET', url: '/health/live' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.body).toContain('atrium_process_cpu_user_seconds_total');
    expect(response.body).toMatch(
      /atrium_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} \d+/,
    );
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-0123456789';
  let guarded: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    guarded = await testApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => guarded.dispose());

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: `Bearer ${TOKEN.slice(0, -1)}x` }],
    ['the token without the scheme', { authorization: TOKEN }],
  ])('refuses %s with 401 problem+json', async (_, headers) => {
    const response = await guarded.inject({ method: 'GET', url: '/metrics', headers });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe('unauthorized');
    expect(response.body).not.toContain('atrium_');
  });

  it('serves the metrics to a scraper with the token', async () => {
    const response = await guarded.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('atrium_process_cpu_user_seconds_total');
  });
});

describe('CORS preflights that are refused', () => {
  const preflight = (target: typeof app, origin: string) =>
    target.inject({
      method: 'OPTIONS',
      url: '/api/v1/auth/login',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
  const expectRefusal = (response: Awaited<ReturnType<typeof app.inject>>) => {
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.json()).toMatchObject({ code: 'forbidden' });
    expect(response.json().detail).toContain('https://evil.example.com');
  };

  it('answers 403 problem+json when no origins are configured', async () => {
    expectRefusal(await preflight(app, 'https://evil.example.com'));
  });

  it('answers a plain OPTIONS with the 404 problem, and adds no CORS headers, when no origins are configured', async () => {
    const options = await app.inject({ method: 'OPTIONS', url: '/api/v1/auth/login' });
    expect(options.statusCode).toBe(404);
    expect(options.headers['content-type']).toMatch(/^application\/problem\+json/);
    const health = await app.inject({
      url: '/health',
      headers: { origin: 'https://app.example.com' },
    });
    expect(health.headers['access-control-allow-origin']).toBeUndefined();
    expect(health.headers.vary ?? '').not.toMatch(/origin/i);
  });

  it('answers 403 problem+json to an unlisted origin, 204 to a listed one', async () => {
    const withCors = await testApp({ CORS_ORIGINS: 'https://app.example.com' });
    try {
      expectRefusal(await preflight(withCors, 'https://evil.example.com'));
      expect((await preflight(withCors, 'https://app.example.com')).statusCode).toBe(204);
      const bare = await withCors.inject({ method: 'OPTIONS', url: '/api/v1/auth/login' });
      expect(bare.statusCode).toBe(400);
      expect(bare.headers['content-type']).toMatch(/^application\/problem\+json/);
    } finally {
      await withCors.dispose();
    }
  });
});

describe('security headers and CORS', () => {
  it('sends a strict CSP and the other helmet headers by default', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBeDefined();
  });

  it('sends no CSP when CSP_MODE=disabled', async () => {
    const open = await testApp({ CSP_MODE: 'disabled' });
    try {
      const response = await open.inject({ method: 'GET', url: '/health/live' });
      expect(response.headers['content-security-policy']).toBeUndefined();
    } finally {
      await open.dispose();
    }
  });

  it('allows only the configured origins', async () => {
    const withCors = await testApp({ CORS_ORIGINS: 'https://app.example.com' });
    try {
      const preflight = (origin: string) =>
        withCors.inject({
          method: 'OPTIONS',
          url: '/health',
          headers: { origin, 'access-control-request-method': 'GET' },
        });
      const allowed = await preflight('https://app.example.com');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      const refused = await preflight('https://evil.example.com');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await withCors.dispose();
    }
  });
});
