import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from './interactions-support.js';
import { testApp } from './support.js';
import { orgOf, type Person, person } from './tenant-support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let owner: Person;
let viewer: Person;
let orgId: string;
const base = () => `/api/v1/orgs/${orgId}/interactions`;

beforeAll(async () => {
  app = await testApp();
  [owner, viewer] = [await person(app), await person(app)];
  orgId = await orgOf(app, owner, [[viewer, 'viewer']]);
});
afterAll(() => app.dispose());

const create = async (overrides = {}) => {
  const response = await app.inject({
    method: 'POST',
    url: base(),
    headers: owner.headers,
    payload: sample(overrides),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
};

describe('interactions CRUD', () => {
  it('creates, reads with an ETag, replaces, patches and deletes', async () => {
    const created = await create();
    expect(created).toMatchObject({ ...sample(), orgId, version: 1, createdBy: owner.id });
    const read = await app.inject({
      method: 'GET',
      url: `${base()}/${created.id}`,
      headers: viewer.headers,
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');

    const replaced = await app.inject({
      method: 'PUT',
      url: `${base()}/${created.id}`,
      headers: { ...owner.headers, 'if-match': '"1"' },
      payload: sample({ title: 'Renamed', notes: undefined }),
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ title: 'Renamed', notes: null, version: 2 });

    const patched = await app.inject({
      method: 'PATCH',
      url: `${base()}/${created.id}`,
      headers: owner.headers,
      payload: { lead: 'Fox Mulder' },
    });
    expect(patched.json()).toMatchObject({ title: 'Renamed', lead: 'Fox Mulder', version: 3 });
    expect(patched.headers.etag).toBe('"3"');

    expect(
      (
        await app.inject({
          method: 'DELETE',
          url: `${base()}/${created.id}`,
          headers: owner.headers,
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (await app.inject({ method: 'GET', url: `${base()}/${created.id}`, headers: owner.headers }))
        .statusCode,
    ).toBe(404);
  });

  it('answers 412 to a write with a stale version, and changes nothing', async () => {
    const created = await create();
    await app.inject({
      method: 'PATCH',
      url: `${base()}/${created.id}`,
      headers: owner.headers,
      payload: { title: 'First' },
    });
    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      const response = await app.inject({
        method,
        url: `${base()}/${created.id}`,
        headers: { ...owner.headers, 'if-match': '"1"' },
        payload:
          method === 'DELETE' ? undefined : method === 'PUT' ? sample() : { title: 'Second' },
      });
      expect(response.statusCode, method).toBe(412);
      expect(response.json().code).toBe('precondition_failed');
    }
    const current = await app.inject({
      method: 'GET',
      url: `${base()}/${created.id}`,
      headers: owner.headers,
    });
    expect(current.json()).toMatchObject({ title: 'First', version: 2 });
  });

  it.each([
    [{ title: '' }, '/body/title'],
    [{ title: 'x'.repeat(201) }, '/body/title'],
    [{ lead: '' }, '/body/lead'],
    [{ type: 'party' }, '/body/type'],
    [{ location: 'x'.repeat(201) }, '/body/location'],
    [{ description: 'x'.repeat(10_001) }, '/body/description'],
    [{ notes: 'x'.repeat(10_001) }, '/body/notes'],
    [{ startAt: 'yesterday' }, '/body/startAt'],
    [{ timezone: 'Mars/Olympus_Mons' }, '/body/timezone'],
    [{ endAt: '2026-03-02T08:00:00.000Z' }, '/body/endAt'],
  ])(
    'refuses a bad value (%#) with a problem naming its field, and stores nothing',
    async (overrides, path) => {
      const before = (
        await app.inject({ method: 'GET', url: `${base()}?limit=100`, headers: owner.headers })
      ).json().items.length;
      const response = await app.inject({
        method: 'POST',
        url: base(),
        headers: owner.headers,
        payload: sample(overrides),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(path);
      const after = (
        await app.inject({ method: 'GET', url: `${base()}?limit=100`, headers: owner.headers })
      ).json().items.length;
      expect(after).toBe(before);
    },
  );

  it('lists the interaction types', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/interaction-types' });
    expect(response.json().items.map((t: { value: string }) => t.value)).toEqual([
      'meeting',
      'call',
      'email',
      'update',
      'training',
      'other',
    ]);
  });
});

describe('history', () => {
  it('records each change field by field and survives the deletion', async () => {
    const created = await create({ title: 'Kick-off', notes: null });
    await app.inject({
      method: 'PATCH',
      url: `${base()}/${created.id}`,
      headers: owner.headers,
      payload: { title: 'Kick-off call', type: 'call', notes: 'Went well' },
    });
    await app.inject({
      method: 'PATCH',
      url: `${base()}/${created.id}`,
      headers: owner.headers,
      payload: { title: 'Kick-off call' },
    });
    await app.inject({ method: 'DELETE', url: `${base()}/${created.id}`, headers: owner.headers });
    const history = await app.inject({
      method: 'GET',
      url: `${base()}/${created.id}/history`,
      headers: viewer.headers,
    });
    expect(history.statusCode).toBe(200);
    const entries = history.json().items;
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'created',
      'updated',
      'deleted',
    ]);
    expect(entries[0].changes.title).toEqual({ from: null, to: 'Kick-off' });
    expect(entries[1].changes).toEqual({
      title: { from: 'Kick-off', to: 'Kick-off call' },
      type: { from: 'meeting', to: 'call' },
      notes: { from: null, to: 'Went well' },
    });
    expect(entries[1].actor).toBe(owner.id);
    expect(entries[2].changes.title).toEqual({ from: 'Kick-off call', to: null });
  });
});
