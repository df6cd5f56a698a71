import { bearer, signUp as createUser } from './auth-support.js';
import type { testApp } from './support.js';

type App = Awaited<ReturnType<typeof testApp>>;

export interface Person {
  id: string;
  email: string;
  headers: { authorization: string };
}

/** A user with a live session, as the org-scoped tests use one. */
export async function person(
  app: App,
  options: { email?: string; isSuperuser?: boolean } = {},
): Promise<Person> {
  const auth = await createUser(app, options);
  return { id: auth.user.id, email: auth.user.email, headers: bearer(auth.accessToken) };
}

const operators = new WeakMap<App, Promise<Person>>();

/**
 * Puts `user` in the org with `role` through the superuser route: org admins can only invite,
 * and the invitation limits (3 per address per day) would stop tests that reuse one person.
 */
export async function addMember(app: App, orgId: string, user: Person, role: string) {
  if (!operators.has(app)) operators.set(app, person(app, { isSuperuser: true }));
  const operator = await operators.get(app)!;
  const added = await app.inject({
    method: 'POST',
    url: `/api/v1/admin/orgs/${orgId}/members`,
    headers: operator.headers,
    payload: { userId: user.id, role },
  });
  if (added.statusCode !== 201) throw new Error(`adding a member failed: ${added.body}`);
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
  for (const [user, role] of others) await addMember(app, org.id, user, role);
  return org.id as string;
}
