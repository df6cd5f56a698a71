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
});
