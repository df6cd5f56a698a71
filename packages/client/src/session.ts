import type { AuthResponse } from '@atrium/contracts';
import { ProblemError } from './problem.js';
import type { TokenStore, Tokens } from './tokens.js';

export type Fetch = (request: Request) => Promise<Response>;

/** A 401 that a fresh access token may cure: the token expired or its signature is stale. */
async function isStaleToken(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { code?: string } | undefined;
  return body?.code === 'invalid_token';
}

/**
 * Sends requests with the stored access token and keeps it fresh: on a 401 `invalid_token` it
 * refreshes once and retries the request once. Concurrent calls that fail together share one
 * refresh (a second would present a rotated refresh token, which the server treats as theft and
 * answers by revoking the session).
 */
export class Session {
  private refreshing: Promise<Tokens | undefined> | undefined;

  constructor(
    private readonly store: TokenStore,
    private readonly fetch: Fetch,
    private readonly refreshUrl: string,
  ) {}

  async tokens() {
    return this.store.get();
  }

  async signIn(auth: Pick<AuthResponse, 'accessToken' | 'refreshToken'>) {
    await this.store.set({ accessToken: auth.accessToken, refreshToken: auth.refreshToken });
  }

  async signOut() {
    await this.store.set(undefined);
  }

  /** Sends `request` signed in (if there are tokens), refreshing and retrying once if stale. */
  async send(request: Request): Promise<Response> {
    // Taken before the first attempt reads the body: the retry needs its own copy.
    const retry = request.clone();
    const used = (await this.store.get())?.accessToken;
    const response = await this.fetch(withToken(request, used));
    if (!used || !(await isStaleToken(response))) return response;
    const fresh = await this.renewAfter(used);
    if (!fresh) return response;
    await response.body?.cancel();
    return this.fetch(withToken(retry, fresh.accessToken));
  }

  /**
   * New tokens to replace the access token `stale`: those another call already obtained, the
   * refresh in flight, or a new refresh. Undefined when the server refused the refresh token
   * (the session is over: the store is emptied).
   */
  async renewAfter(stale: string): Promise<Tokens | undefined> {
    const current = await this.store.get();
    if (current && current.accessToken !== stale) return current;
    if (!current) return undefined;
    this.refreshing ??= this.refresh(current.refreshToken).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(refreshToken: string): Promise<Tokens | undefined> {
    const response = await this.fetch(
      new Request(this.refreshUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ refreshToken }),
      }),
    );
    if (response.status === 401 || response.status === 400) {
      // Expired, revoked or reused: signing in again is the only way on.
      await response.body?.cancel();
      await this.signOut();
      return undefined;
    }
    // A rate limit or an outage says nothing about the tokens: keep them, report the problem.
    if (!response.ok) throw await ProblemError.read(response);
    const auth = (await response.json()) as AuthResponse;
    await this.signIn(auth);
    return { accessToken: auth.accessToken, refreshToken: auth.refreshToken };
  }
}

function withToken(request: Request, token: string | undefined) {
  if (token) request.headers.set('authorization', `Bearer ${token}`);
  return request;
}
