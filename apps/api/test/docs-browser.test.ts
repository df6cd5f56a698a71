import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from './interactions-support.js';
import { testApp } from './support.js';
import { orgOf, type Person, person } from './tenant-support.js';

// Debian's chromium (.ci/run installs it): no browser download. Missing, the launch fails the file.
const CHROMIUM = '/usr/bin/chromium';

/** This machine's first non-loopback IPv4 address: the docs must work on a LAN host, not only localhost. */
function lanAddress(): string {
  const found = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal);
  if (!found) throw new Error('no non-loopback IPv4 address to open the docs on');
  return found.address;
}

let app: Awaited<ReturnType<typeof testApp>>;
let browser: Browser;
let page: Page;
let base: string;
let owner: Person;
let orgId: string;
let interactionId: string;
const problems: string[] = [];

beforeAll(async () => {
  app = await testApp();
  await app.listen({ port: 0, host: '0.0.0.0' });
  base = `http://${lanAddress()}:${(app.server.address() as AddressInfo).port}`;
  owner = await person(app);
  orgId = await orgOf(app, owner);
  const created = await app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${orgId}/interactions`,
    headers: owner.headers,
    payload: sample({ title: 'Seen through Swagger UI' }),
  });
  interactionId = created.json().id;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage();
  // A CSP refusal or a failed asset shows up here, whichever page it breaks.
  // Not failures: ReDoc's footer links its maker's logo from a CDN, which the CSP refuses (the
  // point); Chromium notes that it ignores Cross-Origin-Opener-Policy over plain HTTP; Swagger UI
  // applies one inline style its own hashed CSP refuses (the same on https and localhost).
  const cosmetic = (text: string) =>
    text.includes('cdn.redoc.ly/redoc/logo') ||
    text.startsWith('The Cross-Origin-Opener-Policy') ||
    text.startsWith('Applying inline style violates');
  page.on('console', (message) => {
    if (message.type() === 'error' && !cosmetic(message.text())) problems.push(message.text());
  });
  page.on('requestfailed', (request) => {
    if (!cosmetic(request.url())) problems.push(`failed: ${request.url()}`);
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await app?.dispose();
});

describe('the API docs in a real browser, over plain HTTP on a LAN address', () => {
  it('sends docs pages a CSP without upgrade-insecure-requests', async () => {
    for (const url of ['/docs/', '/redoc']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-security-policy'], url).toBeDefined();
      expect(response.headers['content-security-policy'], url).not.toContain('upgrade-insecure');
    }
  });

  it('renders Swagger UI, authorizes with a real token, and tries an org-scoped GET: 200', async () => {
    await page.goto(`${base}/docs/`);
    // Every tag, collapsed (docExpansion: none); opening one renders its operations.
    await page.locator('.opblock-tag').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock-tag').count()).toBeGreaterThan(12);
    await page.locator('.opblock-tag[data-tag="interactions"]').click();
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });

    await page.locator('.auth-wrapper .btn.authorize').click();
    const bearer = page.locator('.auth-container', { hasText: 'bearerAuth' });
    await bearer.locator('input').fill(owner.headers.authorization.replace(/^Bearer /, ''));
    await bearer.locator('button.authorize').click();
    await page.locator('.dialog-ux button.close-modal').click();

    const path = '/api/v1/orgs/{orgId}/interactions/{id}';
    const operation = page.locator(`.opblock-get:has([data-path="${path}"])`);
    await operation.locator('.opblock-summary-control').click();
    await operation.locator('.try-out__btn').click();
    await operation.locator('tr[data-param-name="orgId"] input').fill(orgId);
    await operation.locator('tr[data-param-name="id"] input').fill(interactionId);
    await operation.locator('.execute').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/^\s*200/);
    expect(await operation.locator('.live-responses-table').textContent()).toContain(
      'Seen through Swagger UI',
    );
    expect(problems, problems.join('\n')).toEqual([]);
  }, 90_000);

  it('renders ReDoc from its own bundle, with the operations', async () => {
    problems.length = 0;
    await page.goto(`${base}/redoc`);
    await page.locator('h1', { hasText: 'Atrium API' }).waitFor({ timeout: 50_000 });
    await page.locator('h2', { hasText: 'Record an interaction' }).waitFor();
    expect(await page.locator('h2').count()).toBeGreaterThan(100);
    expect(problems, problems.join('\n')).toEqual([]);
  }, 60_000);
});
