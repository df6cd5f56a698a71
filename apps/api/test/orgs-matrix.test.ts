import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support.js';
import { addMember, type Person, person } from './tenant-support.js';

type Who = 'owner' | 'admin' | 'member' | 'viewer' | 'outsider' | 'anonymous';
const WHO: Who[] = ['owner', 'admin', 'member', 'viewer', 'outsider', 'anonymous'];

let app: Awaited<ReturnType<typeof testApp>>;
let people: Record<Exclude<Who, 'anonymous'>, Person>;
let candidate: Person;

beforeAll(async () => {
  app = await testApp();
  const [owner, admin, member, viewer, outsider, extra] = await Promise.all(
    Array.from({ length: 6 }, () => person(app)),
  );
  people = { owner: owner!, admin: admin!, member: member!, viewer: viewer!, outsider: outsider! };
  candidate = extra!;
});
afterAll(() => app.dispose());

/** A fresh org with one person in each role, so every case starts from the same state. */
async function freshOrg() {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/orgs',
    headers: people.owner.headers,
    payload: { name: 'Matrix Org' },
  });
  const orgId = created.json().id as string;
  for (const role of ['admin', 'member', 'viewer'] as const) {
    await addMember(app, orgId, people[role], role);
  }
  const invited = await app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${orgId}/invitations`,
    headers: people.owner.headers,
    payload: { email: `pending-${randomUUID()}@example.com`, role: 'member' },
  });
  return { orgId, invitationId: invited.json().id as string };
}

type Case = {
  route: string;
  request: (ctx: { orgId: string; invitationId: string }) => {
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    url: string;
    payload?: object;
  };
  expected: Record<Who, number>;
};

const o = (s: string) => `/api/v1/orgs/${s}`;
const CASES: Case[] = [
  {
    route: 'GET /orgs/{orgId}',
    request: ({ orgId }) => ({ method: 'GET', url: o(orgId) }),
    expected: { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, anonymous: 401 },
  },
  {
    route: 'PATCH /orgs/{orgId}',
    request: ({ orgId }) => ({ method: 'PATCH', url: o(orgId), payload: { name: 'Renamed' } }),
    expected: { owner: 200, admin: 200, member: 403, viewer: 403, outsider: 404, anonymous: 401 },
  },
  {
    route: 'DELETE /orgs/{orgId}',
    request: ({ orgId }) => ({ method: 'DELETE', url: o(orgId) }),
    expected: { owner: 204, admin: 403, member: 403, viewer: 403, outsider: 404, anonymous: 401 },
  },
  {
    route: 'GET /orgs/{orgId}/members',
    request: ({ orgId }) => ({ method: 'GET', url: o(`${orgId}/members`) }),
    expected: { owner: 200, admin: 200, member: 200, viewer: 200, outsider: 404, anonymous: 401 },
  },
  {
    // Gone: people join by accepting an invitation, never by an admin's say-so.
    route: 'POST /orgs/{orgId}/members',
    request: ({ orgId }) => ({
      method: 'POST',
      url: o(`${orgId}/members`),
      payload: { email: candidate.email, role: 'member' },
    }),
    expected: { owner: 404, admin: 404, member: 404, viewer: 404, outsider: 404, anonymous: 404 },
  },
  {
    // The superusers' audited way in is refused to every role of the org itself.
    route: 'POST /admin/orgs/{orgId}/members',
    request: ({ orgId }) => ({
      method: 'POST',
      url: `/api/v1/admin/orgs/${orgId}/members`,
      payload: { userId: candidate.id, role: 'owner' },
    }),
    expected: { owner: 403, admin: 403, member: 403, viewer: 403, outsider: 403, anonymous: 401 },
  },
  {
    route: 'PATCH /orgs/{orgId}/members/{userId}',
    request: ({ orgId }) => ({
      method: 'PATCH',
      url: o(`${orgId}/members/${people.member.id}`),
      payload: { role: 'viewer' },
    }),
    expected: { owner: 200, admin: 200, member: 403, viewer: 403, outsider: 404, anonymous: 401 },
  },
  {
    // The viewer removing themselves is leaving, which any member may do.
    route: 'DELETE /orgs/{orgId}/members/{userId}',
    request: ({ orgId }) => ({ method: 'DELETE', url: o(`${orgId}/members/${people.viewer.id}`) }),
    expected: { owner: 204, admin: 204, member: 403, viewer: 204, outsider: 404, anonymous: 401 },
  },
  {
    route: 'POST /orgs/{orgId}/invitations',
    request: ({ orgId }) => ({
      method: 'POST',
      url: o(`${orgId}/invitations`),
      payload: { email: `new-${randomUUID()}@example.com`, role: 'member' },
    }),
    expected: { owner: 201, admin: 201, member: 403, viewer: 403, outsider: 404, anonymous: 401 },
  },
  {
    route: 'GET /orgs/{orgId}/invitations',
    request: ({ orgId }) => ({ method: 'GET', url: o(`${orgId}/invitations`) }),
    expected: { owner: 200, admin: 200, member: 403, viewer: 403, outsider: 404, anonymous: 401 },
  },
  {
    route: 'DELETE /orgs/{orgId}/invitations/{id}',
    request: ({ orgId, invitationId }) => ({
      method: 'DELETE',
      url: o(`${orgId}/invitations/${invitationId}`),
    }),
    expected: { owner: 204, admin: 204, member: 403, viewer: 403, outsider: 404, anonymous: 401 },
  },
];

describe.each(CASES)('$route', ({ request, expected }) => {
  it.each(WHO)('answers %s with the status the role matrix gives', async (who) => {
    const ctx = await freshOrg();
    const response = await app.inject({
      ...request(ctx),
      headers: who === 'anonymous' ? {} : people[who].headers,
    });
    expect(response.statusCode, response.body).toBe(expected[who]);
    if (response.statusCode >= 400) {
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });
});

describe('routes that are not org-scoped', () => {
  it('refuses anonymous callers on /orgs and /invitations/accept', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/orgs'],
      ['POST', '/api/v1/orgs'],
      ['POST', '/api/v1/invitations/accept'],
    ] as const) {
      const response = await app.inject({
        method,
        url,
        payload: method === 'POST' ? {} : undefined,
      });
      expect(response.statusCode, url).toBe(401);
    }
  });
});

describe('ids that are not UUIDs, or not there', () => {
  it.each([
    ['GET', o('not-a-uuid')],
    ['GET', o("1' or '1'='1")],
    ['GET', o(randomUUID())],
    ['PATCH', o('12345')],
    ['GET', o('not-a-uuid/members')],
  ] as const)('answer %s %s with 404, never 400 or 500', async (method, url) => {
    const response = await app.inject({
      method,
      url,
      headers: people.owner.headers,
      payload: method === 'PATCH' ? { name: 'x' } : undefined,
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('not_found');
  });

  it('answers 404 for a member or invitation id that is not a UUID', async () => {
    const { orgId } = await freshOrg();
    const member = await app.inject({
      method: 'PATCH',
      url: o(`${orgId}/members/nope`),
      headers: people.owner.headers,
      payload: { role: 'viewer' },
    });
    expect(member.statusCode).toBe(404);
    const invitation = await app.inject({
      method: 'DELETE',
      url: o(`${orgId}/invitations/nope`),
      headers: people.owner.headers,
    });
    expect(invitation.statusCode).toBe(404);
  });
});
