import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase } from '@atrium/db';
import { createTestDatabase } from '@atrium/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/index.js';
import { sample } from './interactions-support.js';
import { testApp, testConfig } from './support.js';
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

  it('refuses a token it accepted before, once it has expired (a verified signature is remembered)', async () => {
    const secret = readFileSync(join(app.config.dataDir, 'jwt-secret'), 'utf8');
    const [, payload] = owner.headers.authorization.slice('Bearer '.length).split('.');
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), iat: now };
    const body = [
      { alg: 'HS256', typ: 'JWT' },
      { ...claims, exp: now + 2 },
    ]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .join('.');
    const token = `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
    const headers = { authorization: `Bearer ${token}` };
    const readWith = () => app.inject({ url: `/api/v1/orgs/${orgId}/interactions/${id}`, headers });
    expect((await readWith()).statusCode).toBe(200);
    expect((await readWith()).statusCode).toBe(200);
    vi.useFakeTimers({ now: (now + 3) * 1000, toFake: ['Date'] });
    try {
      const expired = await readWith();
      expect(expired.statusCode).toBe(401);
      expect(expired.json().code).toBe('invalid_token');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a read by id with the access caches off', () => {
  let counted: Awaited<ReturnType<typeof testApp>>;
  const statements: string[] = [];
  // Statements about access or interactions; the in-process job relay polls the outbox meanwhile.
  const relevant = (text: string) => /"(sessions|memberships|interactions)"/.test(text);

  beforeAll(async () => {
    const test = await createTestDatabase();
    const database = await createDatabase({
      url: test.url,
      poolMax: 4,
      onQuery: (text) => statements.push(text),
    });
    const built = await buildApp(
      testConfig({ DATABASE_URL: test.url, AUTH_SESSION_CACHE_MS: '0' }),
      {
        database,
      },
    );
    counted = Object.assign(built, {
      async dispose() {
        await built.close();
        await database.close();
        await test.drop();
      },
    });
  });
  afterAll(() => counted.dispose());

  async function roundTrips(request: () => Promise<{ statusCode: number }>) {
    const before = statements.length;
    const { statusCode } = await request();
    return { statusCode, statements: statements.slice(before).filter(relevant).length };
  }

  it('costs one statement: the session, the membership and the row together', async () => {
    const [me, other] = await Promise.all([person(counted), person(counted)]);
    const org = await orgOf(counted, me);
    const theirs = await orgOf(counted, other);
    const create = (who: Person, inOrg: string) =>
      counted.inject({
        method: 'POST',
        url: `/api/v1/orgs/${inOrg}/interactions`,
        headers: who.headers,
        payload: sample(),
      });
    const mine = (await create(me, org)).json();
    const notMine = (await create(other, theirs)).json();
    const get = (who: Person, inOrg: string, rowId: string) => () =>
      counted.inject({ url: `/api/v1/orgs/${inOrg}/interactions/${rowId}`, headers: who.headers });

    const before = statements.length;
    const read = await roundTrips(get(me, org, mine.id));
    expect(read).toEqual({ statusCode: 200, statements: 1 });
    // Checking who is asking never needs the password hash: it is not even read.
    expect(statements.slice(before).filter(relevant).join('\n')).not.toContain('password_hash');
    expect((await get(me, org, mine.id)()).json()).toEqual(mine);

    // The row is the route's org's only: another org's id through mine is not found…
    expect(await roundTrips(get(me, org, notMine.id))).toEqual({ statusCode: 404, statements: 1 });
    // …and a non-member learns nothing, whatever the id.
    expect(await roundTrips(get(me, theirs, notMine.id))).toEqual({
      statusCode: 404,
      statements: 1,
    });
    // An id no row can have: the session and membership are still checked, in one statement.
    expect((await roundTrips(get(me, org, 'not-a-uuid'))).statusCode).toBe(404);

    await counted.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: me.headers });
    expect((await get(me, org, mine.id)()).statusCode).toBe(401);
  });
});
