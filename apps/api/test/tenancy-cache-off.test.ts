import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from './interactions-support.js';
import { testApp } from './support.js';
import { orgOf, type Person, person } from './tenant-support.js';

// With the session and membership caches off every request asks the database, and the session and
// the membership are read in one statement: the answers must be exactly those of the cached path.
let app: Awaited<ReturnType<typeof testApp>>;
let owner: Person;
let viewer: Person;
let stranger: Person;
let orgId: string;
let otherOrgId: string;
let id: string;

beforeAll(async () => {
  app = await testApp({ AUTH_SESSION_CACHE_MS: '0' });
  [owner, viewer, stranger] = await Promise.all([person(app), person(app), person(app)]);
  orgId = await orgOf(app, owner, [[viewer, 'viewer']]);
  otherOrgId = await orgOf(app, stranger);
  const created = await app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${orgId}/interactions`,
    headers: owner.headers,
    payload: sample(),
  });
  id = created.json().id;
});
afterAll(() => app.dispose());

const read = (who: Person, org = orgId) =>
  app.inject({ url: `/api/v1/orgs/${org}/interactions/${id}`, headers: who.headers });

describe('org-scoped requests with the access caches off', () => {
  it('lets members read, by their role', async () => {
    expect((await read(owner)).statusCode).toBe(200);
    expect((await read(viewer)).statusCode).toBe(200);
  });

  it('answers 404 to a non-member, and to a member asking through another org', async () => {
    expect((await read(stranger)).statusCode).toBe(404);
    expect((await read(stranger, otherOrgId)).statusCode).toBe(404);
  });

  it('answers 403 to a viewer writing', async () => {
    const response = await app.inject({
      method: 'DELETE',
      url: `/api/v1/orgs/${orgId}/interactions/${id}`,
      headers: viewer.headers,
    });
    expect(response.statusCode).toBe(403);
  });

  it('sees a removed member at once, and an ended session at once', async () => {
    const gone = await person(app);
    const org = await orgOf(app, owner, [[gone, 'member']]);
    expect(
      (await app.inject({ url: `/api/v1/orgs/${org}`, headers: gone.headers })).statusCode,
    ).toBe(200);
    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/v1/orgs/${org}/members/${gone.id}`,
      headers: owner.headers,
    });
    expect(removed.statusCode).toBe(204);
    expect(
      (await app.inject({ url: `/api/v1/orgs/${org}`, headers: gone.headers })).statusCode,
    ).toBe(404);

    await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: viewer.headers });
    expect((await read(viewer)).statusCode).toBe(401);
  });
});
