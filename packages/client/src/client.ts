import type {
  AuthResponse,
  LoginMfaRequest,
  LoginRequest,
  MfaRequired,
  RegisterRequest,
} from '@atrium/contracts';
import createClient, { type Client, type MaybeOptionalInit } from 'openapi-fetch';
import type { HttpMethod } from 'openapi-typescript-helpers';
import { type EventStreamOptions, liveEvents } from './events.js';
import { ProblemError } from './problem.js';
import { type Fetch, Session } from './session.js';
import { memoryTokenStore, type TokenStore } from './tokens.js';
import type { InitParam, ItemOf, ListPath, Method, paths } from './types.js';

/** The versioned API under the server's origin; the route map's paths are relative to it. */
export const API_BASE_PATH = '/api/v1';

export interface AtriumClientOptions {
  /** The server's origin (and path prefix, behind a proxy that adds one), e.g. `https://api.example.com`. */
  baseUrl: string;
  /** Where the tokens live; memory by default. */
  tokens?: TokenStore;
  /** The fetch to send with (tests count calls through it); `globalThis.fetch` by default. */
  fetch?: Fetch;
}

/** openapi-fetch's call shape, whose error branch `call` turns into a thrown ProblemError. */
type RawResult = { data?: unknown; error?: unknown; response: Response };

/**
 * A typed Atrium client. `GET`/`POST`/`PUT`/`PATCH`/`DELETE` take the paths, params, query and
 * bodies of the route map (generated from the API's OpenAPI document) and resolve to
 * `{ data, response }`, or throw a `ProblemError`; `raw` is the underlying openapi-fetch client
 * (`{ data, error, response }`, never throws on an error answer). Both send the stored access
 * token and refresh it when it goes stale.
 */
export function createAtriumClient(options: AtriumClientOptions) {
  const base = `${options.baseUrl.replace(/\/+$/, '')}${API_BASE_PATH}`;
  const send: Fetch = options.fetch ?? ((request) => globalThis.fetch(request));
  const session = new Session(options.tokens ?? memoryTokenStore(), send, `${base}/auth/refresh`);
  const raw: Client<paths> = createClient<paths>({
    baseUrl: base,
    fetch: (request) => session.send(request),
  });

  const call =
    <M extends HttpMethod>(method: M): Method<M> =>
    async (url, ...init) => {
      const result = (await raw.request(
        method,
        url as never,
        ...(init as unknown as never[]),
      )) as RawResult;
      if (!result.response.ok) throw ProblemError.from(result.response, result.error);
      return result as never;
    };
  const GET = call('get');

  async function signedIn<T extends AuthResponse | MfaRequired>(pending: Promise<{ data: T }>) {
    const { data } = await pending;
    // A two-factor account gets a challenge, no tokens yet: `completeMfaLogin` finishes it.
    if (!('status' in data)) await session.signIn(data);
    return data;
  }

  return {
    raw,
    GET,
    POST: call('post'),
    PUT: call('put'),
    PATCH: call('patch'),
    DELETE: call('delete'),

    /**
     * Signs in; the tokens go to the store. An account with two-factor sign-in answers
     * `{ status: 'mfa_required', challengeToken }` instead: pass it to `completeMfaLogin`.
     */
    login: (body: LoginRequest) => signedIn(call('post')('/auth/login', { body })),
    /** The second step of a two-factor sign-in (a TOTP code or a recovery code). */
    completeMfaLogin: (body: LoginMfaRequest) =>
      signedIn(call('post')('/auth/login/mfa', { body })),
    /** Creates the account and signs in as it. */
    register: (body: RegisterRequest) => signedIn(call('post')('/auth/register', { body })),
    /** Ends this session on the server and empties the store (even if the server is unreachable). */
    async logout() {
      try {
        await call('post')('/auth/logout');
      } finally {
        await session.signOut();
      }
    },
    /** Adopts tokens obtained elsewhere (e.g. an invitation flow that signed the user in). */
    useTokens: (auth: Pick<AuthResponse, 'accessToken' | 'refreshToken'>) => session.signIn(auth),
    tokens: () => session.tokens(),

    /**
     * Every item of a list operation, page after page (keyset: `cursor` is each page's
     * `nextCursor`), fetched as the loop asks for them. `query.limit` sets the page size.
     */
    async *paginate<P extends ListPath, Init extends MaybeOptionalInit<paths[P], 'get'>>(
      url: P,
      ...init: InitParam<Init>
    ): AsyncGenerator<ItemOf<P>, void, undefined> {
      const first = (init[0] ?? {}) as { params?: { query?: Record<string, unknown> } };
      let cursor: string | null | undefined = first.params?.query?.cursor as string | undefined;
      do {
        const query = { ...first.params?.query, ...(cursor ? { cursor } : {}) };
        const page = (await GET(url, { ...first, params: { ...first.params, query } } as never))
          .data as { items: ItemOf<P>[]; nextCursor: string | null };
        yield* page.items;
        cursor = page.nextCursor;
      } while (cursor);
    },

    /** `GET /events` as a typed async iterator; see `EventStreamOptions`. */
    events: (streamOptions?: EventStreamOptions) =>
      liveEvents(session, `${base}/events`, streamOptions),
  };
}

export type AtriumClient = ReturnType<typeof createAtriumClient>;
