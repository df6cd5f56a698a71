import type { Permission } from '@atrium/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

let app: TestApp;
beforeAll(async () => {
  app = await testApp();
});
afterAll(() => app.dispose());

const ID = '01900000-0000-7000-8000-000000000000';
/** Each admin route and the one permission that opens it (none: superusers only). */
const ROUTES: [string, string, Permission | null, object?][] = [
  ['GET', '/users', 'users:read'],
  ['GET', `/users/${ID}/roles`, 'users:read'],
  ['PUT', `/users/${ID}/disable`, 'users:write'],
  ['PUT', `/users/${ID}/superuser`, null, { isSuperuser: true }],
  ['PUT', `/users/${ID}/roles`, 'roles:write', { roleIds: [] }],
  ['GET', '/roles', 'roles:read'],
  ['DELETE', `/roles/${ID}`, 'roles:write'],
];

describe('roles', () => {
  it.each(['users:read', 'users:write', 'roles:read', 'roles:write'] as Permission[])(
    'a role with %s opens exactly the routes that need it',
    async (permission) => {
      const { accessToken } = await signUp(app, { permissions: [permission] });
      for (const [method, url, needs, payload] of ROUTES) {
        const res = await app.inject({
          method: method as 'GET',
          url: `/api/v1${url}`,
          headers: bearer(accessToken),
          ...(payload ? { payload } : {}),
        });
        if (needs === permission) expect(res.statusCode, `${method} ${url}`).not.toBe(403);
        else expect(res.statusCode, `${method} ${url}`).toBe(403);
      }
    },
  );

  it('creates roles from catalogue permissions only, and refuses duplicate names', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const h = bearer(admin.accessToken);
    const create = (permissions: string[], name = 'editors') =>
      app.inject({
        method: 'POST',
        url: '/api/v1/roles',
        headers: h,
        payload: { name, description: 'Edit content', permissions },
      });
    expect((await create(['content:write', 'forms:read'])).statusCode).toBe(201);
    expect((await create(['content:write'])).statusCode).toBe(409);
    const bad = await create(['content:fly'], 'pilots');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
  });

  it('assigns roles to a user, whose permissions then follow them, and deleting a role takes them away', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const h = bearer(admin.accessToken);
    const role = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/roles',
        headers: h,
        payload: { name: 'readers', permissions: ['users:read'] },
      })
    ).json();
    const a = await signUp(app);
    const list = () =>
      app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(a.accessToken) });
    expect((await list()).statusCode).toBe(403);
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${a.user.id}/roles`,
      headers: h,
      payload: { roleIds: [role.id] },
    });
    expect(put.json().items.map((r: { name: string }) => r.name)).toEqual(['readers']);
    expect((await list()).statusCode).toBe(200);
    const roles = await app.inject({
      method: 'GET',
      url: `/api/v1/users/${a.user.id}/roles`,
      headers: h,
    });
    expect(roles.json().items).toHaveLength(1);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/roles/${role.id}`, headers: h }))
        .statusCode,
    ).toBe(204);
    expect((await list()).statusCode).toBe(403);
  });

  it('gives a user the union of their roles, each permission once and sorted', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const h = bearer(admin.accessToken);
    const create = async (name: string, permissions: Permission[]) =>
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/roles',
          headers: h,
          payload: { name, permissions },
        })
      ).json().id as string;
    const roleIds = [
      await create('union-a', ['users:write', 'users:read']),
      await create('union-b', ['roles:read', 'users:read']),
    ];
    const a = await signUp(app);
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${a.user.id}/roles`,
      headers: h,
      payload: { roleIds },
    });
    expect(put.statusCode).toBe(200);
    const me = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(a.accessToken),
    });
    expect(me.json().permissions).toEqual(['roles:read', 'users:read', 'users:write']);
  });

  it('refuses unknown role ids with 400', async () => {
    const admin = await signUp(app, { isSuperuser: true });
    const res = await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${admin.user.id}/roles`,
      headers: bearer(admin.accessToken),
      payload: { roleIds: [ID] },
    });
    expect(res.statusCode).toBe(400);
  });
});
