import { uploads } from '@atrium/db';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from './support.js';
import { requestUpload, uploadBody } from './uploads-support.js';

/** What a deployment must set anyway (see packages/config), so the app starts in production. */
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'j'.repeat(40),
  PUBLIC_APP_URL: 'https://app.example.com',
  PUBLIC_API_URL: 'https://api.example.com',
  MAIL_TRANSPORT: 'none',
};

let app: Awaited<ReturnType<typeof testApp>> | undefined;
afterEach(async () => {
  await app?.dispose();
  app = undefined;
});

describe('uploads in production', () => {
  it('answers 503 while no virus scanner is configured, and records nothing', async () => {
    app = await testApp(PRODUCTION);
    const response = await requestUpload(app, uploadBody());
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'service_unavailable' });
    expect(response.json().detail).toMatch(/scanner/);
    expect(await app.db.select().from(uploads)).toHaveLength(0);
  });

  it.each([
    ['with clamd configured', { CLAMAV_HOST: '127.0.0.1' }],
    ['with scanning turned off explicitly', { UPLOAD_SCAN: 'off' }],
  ])('hands out upload URLs on the public API URL %s', async (_name, env) => {
    app = await testApp({ ...PRODUCTION, ...env });
    const response = await requestUpload(app, uploadBody());
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().uploadUrl).toMatch(
      /^https:\/\/api\.example\.com\/api\/v1\/upload\/file\?/,
    );
  });

  it('lets a website on an allowed origin send the upload token (CORS preflight)', async () => {
    app = await testApp({
      ...PRODUCTION,
      UPLOAD_SCAN: 'off',
      CORS_ORIGINS: 'https://www.example.com',
    });
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/upload/status/01a22969-a310-755f-97b8-b80f6a7cf981',
      headers: {
        origin: 'https://www.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-upload-token',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('x-upload-token');
  });
});
