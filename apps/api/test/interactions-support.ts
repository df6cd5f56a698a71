import { bearer, signUp as createUser } from './auth-support.js';
import type { testApp } from './support.js';

type App = Awaited<ReturnType<typeof testApp>>;

export interface Person {
  id: string;
  email: string;
  headers: { authorization: string };
}

export async function person(app: App): Promise<Person> {
  const auth = await createUser(app);
  return { id: auth.user.id, email: auth.user.email, headers: bearer(auth.accessToken) };
}

/** An org owned by `owner`, with the others added in the given roles. */
export async function orgOf(app: App, owner: Person, others: [Person, string][] = []) {
  const org = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers: owner.headers,
      payload: { name: 'Interactions Org' },
    })
  ).json();
  for (const [user, role] of others) {
    await app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.id}/members`,
      headers: owner.headers,
      payload: { userId: user.id, role },
    });
  }
  return org.id as string;
}

export const sample = (overrides: Record<string, unknown> = {}) => ({
  title: 'Quarterly review with Acme',
  type: 'meeting',
  lead: 'Dana Scully',
  startAt: '2026-03-02T09:00:00.000Z',
  endAt: '2026-03-02T10:00:00.000Z',
  timezone: 'Europe/Paris',
  location: 'Paris office',
  description: 'Budget and roadmap',
  notes: 'Bring the contract',
  ...overrides,
});
