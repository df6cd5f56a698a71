import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, STRONG_PASSWORD, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

let app: TestApp;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.dispose());

const ID = '01900000-0000-7000-8000-000000000000';
const ADMIN_ROUTES: [string, string, object?][] = [
  ['GET', '/users'],
  ['GET', `/users/${ID}`],
  ['POST', '/users', { email: 'new@example.com', password: STRONG_PASSWORD }],
  ['DELETE', `/users/${ID}`],
  ['PUT', `/users/${ID}/disable`],
  ['PUT', `/users/${ID}/enable`],
  ['PUT', `/users/${ID}/superuser`, { isSuperuser: true }],
  ['GET', `/users/${ID}/roles`],
  ['PUT', `/users/${ID}/roles`, { roleIds: [] }],
  ['GET', '/roles'],
  ['POST', '/roles', { name: 'x', description: '', permissions: [] }],
  ['DELETE', `/roles/${ID}`],
];

describe('admin routes', () => {
  it.each(ADMIN_ROUTES)(
    '%s %s answers 403 to a user without permissions',
    async (method, url, payload) => {
      const { accessToken } = await signUp(app);
      const res = await app.inject({
        method: method as 'GET',
        url: `/api/v1${url}`,
        headers: bearer(accessToken),
        ...(payload ? { payload } : {}),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('forbidden');
    },
  );

  it.each(ADMIN_ROUTES)('%s %s answers 401 without a token', async (method, url) => {
    const res = await app.inject({ method: method as 'GET', url: `/api/v1${url}` });
    expect(res.statusCode).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('shows that admin routes need a bearer token and names their permission', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const list = doc.paths['/api/v1/users'].get;
    expect(list.security).toEqual([{ bearerAuth: [] }]);
    expect(list.description).toBe('Requires the `users:read` permission (superusers hold all).');
    expect(doc.paths['/api/v1/auth/login'].post.security).toBeUndefined();
  });
});

describe('users admin', () => {
  it('creates, finds by q and pages through users with a cursor', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const h = bearer(admin.accessToken);
    for (const name of ['zed-one', 'zed-two', 'zed-three']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: h,
        payload: { email: `${name}@example.com`, password: STRONG_PASSWORD, fullName: name },
      });
      expect(res.statusCode).toBe(201);
    }
    const first = (
      await app.inject({ method: 'GET', url: '/api/v1/users?q=zed-&limit=2', headers: h })
    ).json();
    expect(first.items.map((u: { fullName: string }) => u.fullName)).toEqual([
      'zed-three',
      'zed-two',
    ]);
    const second = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/users?q=zed-&limit=2&cursor=${first.nextCursor}`,
        headers: h,
      })
    ).json();
    expect(second.items.map((u: { fullName: string }) => u.fullName)).toEqual(['zed-one']);
    expect(second.nextCursor).toBeNull();
    expect(JSON.stringify(first)).not.toMatch(/argon2|passwordHash/);
  });

  it('treats % and _ in q literally and refuses a malformed cursor with 400', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const h = bearer(admin.accessToken);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/users?q=%25', headers: h })).json().items,
    ).toEqual([]);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/users?cursor=nope', headers: h }))
        .statusCode,
    ).toBe(400);
  });

  it('answers 404 for an unknown user', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/users/${ID}`,
      headers: bearer(admin.accessToken),
    });
    expect(res.statusCode).toBe(404);
  });

  it('disables and enables a user', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const a = await signUp(app);
    const h = bearer(admin.accessToken);
    await app.inject({ method: 'PUT', url: `/api/v1/users/${a.user.id}/disable`, headers: h });
    const res = await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${a.user.id}/enable`,
      headers: h,
    });
    expect(res.json().isActive).toBe(true);
  });

  it('does not let a users:write holder touch a superuser or create one', async () => {
    const manager = await signUp(app, { permissions: ['users:write', 'users:read'] });
    const boss = await signUp(app, { isSuperuser: true });
    const h = bearer(manager.accessToken);
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: `/api/v1/users/${boss.user.id}/disable`,
          headers: h,
        })
      ).statusCode,
    ).toBe(403);
    const create = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: h,
      payload: { email: 'sneaky@example.com', password: STRONG_PASSWORD, isSuperuser: true },
    });
    expect(create.statusCode).toBe(403);
  });
});

describe('the last active superuser', () => {
  it('cannot be disabled, demoted or deleted', async () => {
    const solo = await testApp();
    try {
      const only = await signUp(solo, { isSuperuser: true });
      const h = bearer(only.accessToken);
      const base = `/api/v1/users/${only.user.id}`;
      const answers = await Promise.all([
        solo.inject({ method: 'PUT', url: `${base}/disable`, headers: h }),
        solo.inject({
          method: 'PUT',
          url: `${base}/superuser`,
          headers: h,
          payload: { isSuperuser: false },
        }),
        solo.inject({ method: 'DELETE', url: base, headers: h }),
      ]);
      expect(answers.map((a) => a.statusCode)).toEqual([409, 409, 409]);
      const second = await signUp(solo, { isSuperuser: true });
      const demote = await solo.inject({
        method: 'PUT',
        url: `/api/v1/users/${second.user.id}/superuser`,
        headers: h,
        payload: { isSuperuser: false },
      });
      expect(demote.json().isSuperuser).toBe(false);
    } finally {
      await solo.dispose();
    }
  });
});
