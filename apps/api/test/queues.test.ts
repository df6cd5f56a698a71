import { QueueNames } from '@atrium/contracts';
import { auditEvents } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Forbidden } from '../src/errors.js';
import { errorsPlugin } from '../src/plugins/errors.js';
import { metricsPlugin } from '../src/plugins/metrics.js';
import { type QueueAction, queuesPlugin } from '../src/plugins/queues.js';
import { bearer, signUp } from './auth-support.js';
import { TEST_REDIS_URL, testApp, testConfig } from './support.js';

describe('the queue dashboard with Redis', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    app = await testApp({
      REDIS_URL: TEST_REDIS_URL,
    });
  });
  afterAll(() => app.dispose());

  it.each(['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/js/main.js'])(
    'refuses an anonymous request to %s with 401',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
    },
  );

  it('refuses a signed-in user without queues:admin (403) and admits a superuser', async () => {
    const plain = await signUp(app);
    const refused = await app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: bearer(plain.accessToken),
    });
    expect(refused.statusCode).toBe(403);
    const admin = await signUp(app, { isSuperuser: true });
    const admitted = await app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: bearer(admin.accessToken),
    });
    expect(admitted.statusCode).toBe(200);
    expect(admitted.json().queues.map((q: { name: string }) => q.name)).toEqual(
      expect.arrayContaining(['email', 'crm-sync', 'maintenance']),
    );
  });

  it('admits a role that grants queues:admin', async () => {
    const operator = await signUp(app, { permissions: ['queues:admin'] });
    const response = await app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: bearer(operator.accessToken),
    });
    expect(response.statusCode).toBe(200);
  });

  describe('in a browser, through the cookie the API sets', () => {
    const openSession = (accessToken?: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/admin/queues/session',
        headers: accessToken ? bearer(accessToken) : {},
      });
    const cookieOf = (response: Awaited<ReturnType<typeof openSession>>) =>
      response.cookies.find((c) => c.name === 'atrium_queues');
    const visit = (cookie: string) =>
      app.inject({ url: '/admin/queues/api/queues', cookies: { atrium_queues: cookie } });

    it('sets an HttpOnly, SameSite=Strict cookie for the dashboard only, expiring with the token', async () => {
      const admin = await signUp(app, { isSuperuser: true });
      const response = await openSession(admin.accessToken);
      expect(response.statusCode).toBe(204);
      expect(response.headers['cache-control']).toBe('no-store'); // it carries the token
      const cookie = cookieOf(response)!;
      expect(cookie).toMatchObject({
        value: admin.accessToken,
        path: '/admin/queues',
        httpOnly: true,
        sameSite: 'Strict',
      });
      expect(cookie.maxAge).toBeGreaterThan(800);
      expect(cookie.maxAge).toBeLessThanOrEqual(900);
      expect((await visit(cookie.value)).statusCode).toBe(200);
    });

    it('is refused to anonymous users (401) and users without queues:admin (403)', async () => {
      expect((await openSession()).statusCode).toBe(401);
      const plain = await signUp(app);
      const refused = await openSession(plain.accessToken);
      expect(refused.statusCode).toBe(403);
      expect(cookieOf(refused)).toBeUndefined();
      // The dashboard checks a cookie like a header: a plain user's token stays refused.
      expect((await visit(plain.accessToken)).statusCode).toBe(403);
    });

    it('stops working at logout, and refuses a tampered token', async () => {
      const admin = await signUp(app, { isSuperuser: true });
      const cookie = cookieOf(await openSession(admin.accessToken))!.value;
      expect((await visit(`${cookie.slice(0, -2)}xx`)).statusCode).toBe(401);
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: bearer(admin.accessToken),
      });
      expect((await visit(cookie)).statusCode).toBe(401);
    });
  });

  it('refuses a retry from an anonymous request', async () => {
    const response = await app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/email/retry/failed',
    });
    expect(response.statusCode).toBe(401);
  });

  it('writes one audit row per action that changes a queue, none for reads or refusals', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const outsider = await signUp(app);
    const rows = () =>
      app.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.action, 'admin.queue.action'))
        .orderBy(auditEvents.seq);
    const before = (await rows()).length;
    const call = (method: 'GET' | 'PUT', url: string, token: string) =>
      app.inject({ method, url: `/admin/queues${url}`, headers: bearer(token) });
    expect((await call('GET', '/api/queues', admin.accessToken)).statusCode).toBe(200);
    expect((await call('PUT', '/api/queues/email/pause', outsider.accessToken)).statusCode).toBe(
      403,
    );
    expect((await call('PUT', '/api/queues/email/pause', admin.accessToken)).statusCode).toBe(200);
    expect(
      (await call('PUT', '/api/queues/email/retry/failed', admin.accessToken)).statusCode,
    ).toBe(200);
    expect((await call('PUT', '/api/queues/email/resume', admin.accessToken)).statusCode).toBe(200);
    const written = (await rows()).slice(before);
    expect(written.map((r) => [r.targetId, r.data])).toEqual([
      ['email', { method: 'PUT', route: '/api/queues/:queueName/pause' }],
      [
        'email',
        { method: 'PUT', route: '/api/queues/:queueName/retry/:queueStatus', status: 'failed' },
      ],
      ['email', { method: 'PUT', route: '/api/queues/:queueName/resume' }],
    ]);
    expect(written.every((r) => r.actorId === admin.user.id && r.actorIp === '127.0.0.1')).toBe(
      true,
    );
  });

  it('exports per-queue job counts in /metrics', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    for (const queue of ['email', 'crm-sync', 'maintenance']) {
      for (const state of ['waiting', 'active', 'failed', 'completed']) {
        expect(response.body).toContain(`atrium_queue_jobs{queue="${queue}",state="${state}"} 0`);
      }
    }
  });

  it('keeps the dashboard out of the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(Object.keys(response.json().paths).some((p) => p.startsWith('/admin'))).toBe(false);
  });
});

describe('the queue dashboard without Redis', () => {
  it('is not mounted: jobs live in the outbox table', async () => {
    const app = await testApp();
    try {
      const response = await app.inject({ method: 'GET', url: '/admin/queues' });
      expect(response.statusCode).toBe(404);
      // Its session route is in the API document in every mode, and says there is no dashboard.
      const { accessToken } = await signUp(app, { isSuperuser: true });
      const session = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/queues/session',
        headers: bearer(accessToken),
      });
      expect(session.statusCode).toBe(404);
      expect(session.headers['set-cookie']).toBeUndefined();
    } finally {
      await app.dispose();
    }
  });
});

describe('the queue dashboard plugin with an authorize hook', () => {
  const actions: QueueAction[] = [];
  /** A bare app with the dashboard whose hook admits only `x-test-admin: yes`. */
  async function dashboardApp() {
    const app = Fastify();
    await app.register(errorsPlugin);
    await app.register(metricsPlugin);
    await app.register(queuesPlugin, {
      config: testConfig({
        REDIS_URL: TEST_REDIS_URL,
      }),
      authorize: async (request) => {
        if (request.headers['x-test-admin'] !== 'yes') throw new Forbidden();
      },
      recordAction: async (_request, action) => {
        actions.push(action);
      },
    });
    return app;
  }

  it('serves the dashboard and its queue list to a request the hook lets through', async () => {
    const app = await dashboardApp();
    try {
      const page = await app.inject({ url: '/admin/queues', headers: { 'x-test-admin': 'yes' } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      const api = await app.inject({
        url: '/admin/queues/api/queues',
        headers: { 'x-test-admin': 'yes' },
      });
      expect(
        api
          .json()
          .queues.map((q: { name: string }) => q.name)
          .sort(),
      ).toEqual([...QueueNames].sort());
      expect(actions).toEqual([]);
      const paused = await app.inject({
        method: 'PUT',
        url: '/admin/queues/api/queues/crm-sync/pause',
        headers: { 'x-test-admin': 'yes' },
      });
      expect(paused.statusCode).toBe(200);
      await app.inject({
        method: 'PUT',
        url: '/admin/queues/api/queues/crm-sync/resume',
        headers: { 'x-test-admin': 'yes' },
      });
      expect(actions.map((a) => a.route)).toEqual([
        '/api/queues/:queueName/pause',
        '/api/queues/:queueName/resume',
      ]);
      expect(actions[0]).toMatchObject({ queue: 'crm-sync', method: 'PUT' });
    } finally {
      await app.close();
    }
  });

  it('answers 403 when the hook throws Forbidden', async () => {
    const app = await dashboardApp();
    try {
      const response = await app.inject({ url: '/admin/queues' });
      expect(response.statusCode).toBe(403);
    } finally {
      await app.close();
    }
  });
});
