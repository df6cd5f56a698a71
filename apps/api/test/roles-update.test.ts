import { auditEvents, roles, userRoles } from '@atrium/db';
import { and, eq } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

// PATCH /roles/{id}: name, description, permissions; system roles protected; audited.

let app: TestApp;
let root: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  app = await testApp({ AUTH_SESSION_CACHE_MS: '0' });
  root = await signUp(app, { isSuperuser: true });
});
afterAll(() => app.dispose());

let n = 0;
async function role(options: { isSystem?: boolean; permissions?: string[] } = {}) {
  n += 1;
  const [row] = await app.db
    .insert(roles)
    .values({
      name: `role-${n}-${Date.now()}`,
      description: 'before',
      permissions: options.permissions ?? ['forms:read'],
      isSystem: options.isSystem ?? false,
    })
    .returning();
  return row!;
}
const patch = (id: string, payload: object, token = root.accessToken) =>
  app.inject({ method: 'PATCH', url: `/api/v1/roles/${id}`, headers: bearer(token), payload });
const auditRows = (id: string) =>
  app.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetId, id), eq(auditEvents.action, 'admin.role.updated')));

describe('PATCH /roles/{id}', () => {
  it('renames, redescribes and replaces permissions, with one audit row', async () => {
    const r = await role();
    const res = await patch(r.id, {
      name: `renamed-${n}`,
      description: 'after',
      permissions: ['uploads:read', 'forms:read'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: r.id,
      name: `renamed-${n}`,
      description: 'after',
      isSystem: false,
    });
    expect([...res.json().permissions].sort()).toEqual(['forms:read', 'uploads:read']);
    const rows = await auditRows(r.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorId: root.user.id, targetType: 'role' });
    expect(rows[0]!.data).toMatchObject({
      fields: ['description', 'name', 'permissions'],
      before: { name: r.name, permissions: ['forms:read'] },
    });
  });

  it('changes what holders may do at once', async () => {
    const r = await role({ permissions: [] });
    const holder = await signUp(app);
    await app.db.insert(userRoles).values({ userId: holder.user.id, roleId: r.id });
    const list = () =>
      app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(holder.accessToken) });
    expect((await list()).statusCode).toBe(403);
    await patch(r.id, { permissions: ['users:read'] });
    expect((await list()).statusCode).toBe(200);
    await patch(r.id, { permissions: [] });
    expect((await list()).statusCode).toBe(403);
  });

  it('refuses to change or delete a system role with 403, and writes no audit row', async () => {
    const system = await role({ isSystem: true });
    const res = await patch(system.id, { description: 'changed' });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/System roles/);
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/api/v1/roles/${system.id}`,
      headers: bearer(root.accessToken),
    });
    expect(deleted.statusCode).toBe(403);
    const [row] = await app.db.select().from(roles).where(eq(roles.id, system.id));
    expect(row?.description).toBe('before');
    expect(await auditRows(system.id)).toHaveLength(0);
  });

  it('answers 409 for a name another role has', async () => {
    const a = await role();
    const b = await role();
    const res = await patch(a.id, { name: b.name });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('conflict');
    expect(await auditRows(a.id)).toHaveLength(0);
  });

  it('lets a roles:write holder grant only permissions they hold (403 otherwise)', async () => {
    const editor = await signUp(app, { permissions: ['roles:write', 'forms:read'] });
    const r = await role();
    const escalate = await patch(r.id, { permissions: ['users:write'] }, editor.accessToken);
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().detail).toContain('users:write');
    const ok = await patch(
      r.id,
      { permissions: ['forms:read'], description: 'x' },
      editor.accessToken,
    );
    expect(ok.statusCode).toBe(200);
  });

  it('answers 403 to a user without roles:write', async () => {
    const reader = await signUp(app, { permissions: ['roles:read'] });
    const r = await role();
    const res = await patch(r.id, { description: 'x' }, reader.accessToken);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it.each([
    [{}],
    [{ permissions: ['not:a-permission'] }],
    [{ permissions: ['forms:read', 'forms:read'] }],
    [{ name: '' }],
    [{ isSystem: false }],
  ])('refuses %j with 400', async (payload) => {
    const r = await role();
    const res = await patch(r.id, payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 404 for an unknown role', async () => {
    const res = await patch('01900000-0000-7000-8000-000000000000', { description: 'x' });
    expect(res.statusCode).toBe(404);
  });
});
