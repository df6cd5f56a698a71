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
