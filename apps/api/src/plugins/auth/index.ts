import { hasPermission, isPermission, requiresMfa, SUPERUSER } from '@atrium/auth';
import { jwtSecret } from '@atrium/config';
import type { OrgRole, Permission, User } from '@atrium/contracts';
import type { Prefetched } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import { findActiveUser, type PublicUserRow, toUser } from '@atrium/db/queries';
import fastifyJwt from '@fastify/jwt';
import type {
  FastifyContextConfig,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden, HttpError, Unauthorized } from '../../errors.js';
import { TtlCache } from './cache.js';
import { idpVerifier, provisionExternalUser } from './idp.js';
import {
  preparePrincipalInOrgQuery,
  preparePrincipalQuery,
  preparePrincipalWithRowQuery,
} from './principal.js';
import { addReauthCheck } from './reauth.js';
import { sealingKey } from './secret.js';

const AUTH_CHANNEL = 'atrium_auth_changed';

export interface AccessClaims {
  sub: string;
  sid: string;
}
/** What a verified access token holds beyond ours (seconds since the epoch). */
type VerifiedClaims = AccessClaims & { iat: number; exp: number };

/**
 * Route options: `config: { auth: true }` or `config: { permission: 'users:read' }`.
 * `auth: 'optional'`: anonymous callers pass (`request.user` stays undefined), a bearer token
 * is verified as anywhere else (a bad one is a 401, not a silent downgrade to anonymous).
 */
export interface AuthRouteConfig {
  auth?: boolean | 'optional';
  permission?: Permission;
  /** Superusers only, whatever their roles say. */
  superuser?: boolean;
  /**
   * A sensitive action: the session's last password or 2FA check must be younger than
   * `REAUTH_WINDOW`, or the answer is 403 `reauthentication_required`.
   */
  reauth?: boolean;
  /** The response carries tokens or secrets: `Cache-Control: no-store`, so no cache keeps it. */
  noStore?: boolean;
}

export interface AuthChangeListener {
  /** At the `authChanged` call, in this process only: the change may not have committed yet. */
  changing?: () => void;
  /** On every instance, once the change has committed. */
  changed?: () => void;
}

/** Who a bearer token speaks for, until when (ms since the epoch). */
interface Principal {
  user: User;
  session: { id: string };
  expiresAt: number;
}

/** What authentication reads of a route's config: its access, and an org route's org and row. */
type RouteAccess = Omit<AuthRouteConfig, 'auth'> & Pick<FastifyContextConfig, 'org' | 'row'>;

export type AuthGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** A check that runs right after authentication (see `addAccessCheck`). */
export type AccessCheck = (request: FastifyRequest) => void | Promise<void>;

declare module 'fastify' {
  interface FastifyContextConfig extends AuthRouteConfig {}
  interface FastifyRequest {
    /** The session behind the access token (absent for identity-provider tokens). */
    session: { id: string } | undefined;
    /**
     * The caller's role in the route's org (null: not a member), when authentication already
     * read it in the same statement as the session; the tenancy plugin uses it instead of asking.
     */
    roleInOrg: { orgId: string; role: OrgRole | null } | undefined;
    /** The signed-in user, on routes that declare access in their config; 401 anywhere else. */
    me(): User;
    /** For identity-provider tokens: when the provider last checked the user (seconds). */
    idpAuthTime: number | undefined;
  }
  interface FastifyInstance {
    /**
     * A hook for routes or plugins outside the route config pattern (e.g. a dashboard).
     * `reauth` is a route option only (a preHandler the route gets).
     */
    requireAuth(options?: Omit<AuthRouteConfig, 'auth' | 'reauth'>): AuthGuard;
    /** A key for sealing data at rest, one per `purpose`; the secret behind it stays here. */
    sealingKey(purpose: string): Buffer;
    /** True when MFA_REQUIRED_FOR names a privilege `user` holds. */
    mfaRequired(user: User): boolean;
    /** Clears cached sessions everywhere; call inside the transaction that changed them. */
    authChanged(tx?: { execute: FastifyInstance['db']['execute'] }): Promise<void>;
    /** A cache of access decisions that `authChanged` clears everywhere (e.g. org roles). */
    accessCache<V>(): TtlCache<V>;
    /** Tells `listener` about `authChanged` calls (e.g. live-event streams re-check sessions). */
    onAuthChanged(listener: AuthChangeListener): void;
    /**
     * A check to run right after authentication, on the routes `forRoute` returns one for (the
     * tenancy plugin's for `config.org`). It joins the route's access hook as the route is
     * registered: register checks before the routes, as plugins are.
     */
    addAccessCheck(forRoute: (config: FastifyContextConfig) => AccessCheck | undefined): void;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    /** `request.user`: the signed-in user on routes declaring auth; undefined elsewhere. */
    user: User | undefined;
  }
}

export const authPlugin = fp(
  async (app: FastifyInstance) => {
    const { issuer, audience } = app.config.jwt;
    const accessTtl = app.config.sessions.accessTokenTtlSeconds;
    await app.register(fastifyJwt, {
      secret: jwtSecret(app.config),
      sign: { algorithm: 'HS256', expiresIn: accessTtl, iss: issuer, aud: audience },
      verify: {
        // Pinned: no `none`, no switching to an asymmetric algorithm with the secret as a key.
        algorithms: ['HS256'],
        allowedIss: issuer,
        allowedAud: audience,
        // A token that never expires, or was issued longer ago than we issue for, is refused even
        // when its signature holds (a leaked secret's forgeries, tokens of another Atrium service).
        requiredClaims: ['iss', 'aud', 'iat', 'exp', 'sub', 'sid'],
        maxAge: accessTtl,
      },
      decoratorName: 'jwtPayload',
    });
    const caches = new Set<TtlCache<unknown>>();
    const accessCache = <V>() => {
      const created = new TtlCache<V>(app.config.sessionCacheMs);
      caches.add(created);
      return created;
    };
    const clearAll = () => {
      for (const c of caches) c.clear();
    };
    // A token verified before, with its live principal: a hit costs no signature check, no hash
    // and no query. Keyed by the token itself, so nothing about it is re-derived per request.
    const tokens = accessCache<Principal>();
    // A token's signature and claims cannot go stale: once verified, they are remembered until the
    // token expires, whatever AUTH_SESSION_CACHE_MS says. That setting bounds how stale a session
    // or a membership may be, and a miss below still reads both; re-checking the same signature
    // (fast-jwt's decode + HMAC + claim checks) was a tenth of a cache-off request's CPU.
    const verified = new TtlCache<VerifiedClaims>(accessTtl * 1000);
    /** Until when the verifier would accept a token (ms): its expiry, or `maxAge` after issue. */
    const acceptedUntil = (claims: VerifiedClaims) =>
      Math.min(claims.exp, claims.iat + accessTtl) * 1000;
    const idpUsers = accessCache<User>();
    app.decorate('accessCache', accessCache);
    const principalQuery = preparePrincipalQuery(app.db);
    const principalInOrgQuery = preparePrincipalInOrgQuery(app.db);
    // One per route row statement, prepared on first use.
    const withRowQueries = new Map<object, ReturnType<typeof preparePrincipalWithRowQuery>>();
    const principalWithRow = (statement: Prefetched['statement']) => {
      let query = withRowQueries.get(statement);
      if (!query) {
        query = preparePrincipalWithRowQuery(app.db, statement);
        withRowQueries.set(statement, query);
      }
      return query;
    };
    const changeListeners = new Set<AuthChangeListener>();
    app.decorate('onAuthChanged', (listener: AuthChangeListener) => {
      changeListeners.add(listener);
    });
    await subscribeToChanges(app, () => {
      clearAll();
      for (const listener of changeListeners) listener.changed?.();
    });
    const idp = app.config.idp;
    const verifyIdp = idp ? idpVerifier(idp) : undefined;
    const { mfaRequiredFor, reauthWindowSeconds } = app.config.mfa;
    const unknown = mfaRequiredFor.filter((name) => name !== SUPERUSER && !isPermission(name));
    if (unknown.length) {
      throw new Error(
        `MFA_REQUIRED_FOR names no permission called ${unknown.join(', ')}; use superuser or permission names`,
      );
    }
    app.decorate('sealingKey', (purpose: string) => sealingKey(app.config, purpose));
    app.decorate('mfaRequired', (user: User) => requiresMfa(mfaRequiredFor, user));

    // @fastify/jwt already decorates `request.user`.
    app.decorateRequest('session', undefined);
    app.decorateRequest('roleInOrg', undefined);
    app.decorateRequest('idpAuthTime', undefined);
    app.decorateRequest('me', function (this: FastifyRequest) {
      if (!this.user) throw new Unauthorized();
      return this.user;
    });
    app.decorate('authChanged', async (tx?: { execute: FastifyInstance['db']['execute'] }) => {
      clearAll();
      for (const listener of changeListeners) listener.changing?.();
      await (tx ?? app.db).execute(sql`select pg_notify(${AUTH_CHANNEL}, '')`);
    });

    /**
     * On a cache miss, an org route's membership is read with the session, and a read by id's row
     * too (`config.row`): one statement either way.
     */
    async function fromAccessToken(
      token: string,
      request: FastifyRequest,
      config: RouteAccess,
    ): Promise<Principal> {
      const known = tokens.get(token);
      const now = Date.now();
      if (known && known.expiresAt > now) return known;
      let claims = verified.get(token);
      if (!claims || acceptedUntil(claims) <= now) {
        claims = verifyAccessToken(token);
        verified.set(token, claims);
      }
      const params = { sid: claims.sid, sub: claims.sub };
      const orgId = routeOrgId(request, config);
      let found: { user: PublicUserRow; permissions: string[] } | undefined;
      if (orgId) {
        const row = config.row;
        const rowParams = row?.params(request.params as Record<string, string>);
        let role: OrgRole | null | undefined;
        if (row && rowParams) {
          const [result] = await principalWithRow(row.statement).execute({
            ...rowParams,
            ...params,
            orgId,
          });
          found = result;
          role = result?.role;
          // The row reaches the handler through the scope, after tenancy checked the role.
          if (result?.role) {
            const rows = result.row ? [result.row] : [];
            request.prefetched = { statement: row.statement, params: rowParams, rows };
          }
        } else {
          const [result] = await principalInOrgQuery.execute({ ...params, orgId });
          found = result;
          role = result?.role;
        }
        if (found) request.roleInOrg = { orgId, role: role ?? null };
      } else {
        [found] = await principalQuery.execute(params);
      }
      if (!found) throw new Unauthorized('The session has ended; sign in again.', 'invalid_token');
      const principal = {
        user: toUser(found.user, found.permissions),
        session: { id: claims.sid },
        expiresAt: acceptedUntil(claims),
      };
      tokens.set(token, principal);
      return principal;
    }

    function verifyAccessToken(token: string): VerifiedClaims {
      let claims: VerifiedClaims;
      try {
        claims = app.jwt.verify<VerifiedClaims>(token);
      } catch {
        throw new Unauthorized('The access token is invalid or expired.', 'invalid_token');
      }
      // Ids the database would refuse to compare are a bad token, not a bad request.
      if (!isUuid(claims.sid) || !isUuid(claims.sub)) {
        throw new Unauthorized('The access token is invalid or expired.', 'invalid_token');
      }
      return claims;
    }

    async function fromIdpToken(token: string, request: FastifyRequest) {
      let userId: string;
      try {
        const claims = await verifyIdp!(token);
        userId = await provisionExternalUser(app.db, idp!.issuer, claims);
        // OIDC's auth_time when the provider sends it; otherwise the token's issue time.
        request.idpAuthTime = typeof claims.auth_time === 'number' ? claims.auth_time : claims.iat;
      } catch {
        throw new Unauthorized('The access token is invalid or expired.', 'invalid_token');
      }
      const user = idpUsers.get(userId) ?? (await findActiveUser(app.db, userId));
      if (!user) throw new Unauthorized('This account is disabled.', 'invalid_token');
      idpUsers.set(userId, user);
      return { user, session: undefined };
    }

    /**
     * MFA_REQUIRED_FOR, from the principal already in hand (cached per session): no query. Asked
     * only where a route needs superuser status or a permission.
     */
    function assertMfaPolicy(user: User, options: Omit<AuthRouteConfig, 'auth'>) {
      const need = options.superuser ? SUPERUSER : options.permission;
      if (need === undefined || user.mfaEnabled) return;
      if (!requiresMfa(mfaRequiredFor, user, need)) return;
      throw new HttpError(
        403,
        'mfa_enrollment_required',
        'Turn on two-factor sign-in (POST /api/v1/auth/mfa/totp) before using this; your account needs it for this privilege.',
      );
    }

    async function authenticate(request: FastifyRequest, options: RouteAccess): Promise<void> {
      const header = request.headers.authorization;
      const match = header ? BEARER.exec(header) : null;
      if (!match) throw new Unauthorized();
      const token = match[1]!;
      const found =
        verifyIdp && headerAlg(token) !== 'HS256'
          ? await fromIdpToken(token, request)
          : await fromAccessToken(token, request, options);
      request.user = found.user;
      request.session = found.session;
      if (options.superuser && !found.user.isSuperuser) throw new Forbidden();
      if (options.permission && !hasPermission(found.user, options.permission)) {
        throw new Forbidden();
      }
      assertMfaPolicy(found.user, options);
    }
    app.decorate(
      'requireAuth',
      (options: Omit<AuthRouteConfig, 'auth' | 'reauth'> = {}): AuthGuard =>
        (request) =>
          authenticate(request, options),
    );

    addReauthCheck(app, reauthWindowSeconds);

    // The OpenAPI document shows, per route, that it needs a bearer token and which permission.
    const PUBLIC = 'Public: needs no token.';
    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as AuthRouteConfig & { org?: string };
      // An org-scoped route authenticates too (the tenancy plugin resolves the member first).
      if (!config.auth && !config.permission && !config.superuser && !config.org) {
        const schema = route.schema as Record<string, unknown> | undefined;
        // A public route says so, unless it names its own way in (e.g. an upload's token).
        if (
          schema &&
          !schema.hide &&
          !schema.security &&
          !String(schema.description ?? '').includes(PUBLIC)
        )
          route.schema = {
            ...schema,
            description: [schema.description, PUBLIC].filter(Boolean).join(' '),
          };
        return;
      }
      const needs = config.superuser
        ? 'Superusers only.'
        : config.permission
          ? `Requires the \`${config.permission}\` permission (superusers hold all).`
          : config.auth === 'optional'
            ? 'Works anonymously; a bearer token, when sent, identifies the caller.'
            : config.org
              ? '' // the tenancy plugin describes the org role it needs
              : 'Requires a signed-in user.';
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      // An optional route may name other ways in (e.g. an upload's own token) itself.
      if (config.auth === 'optional') schema.security ??= [{ bearerAuth: [] }, {}];
      else schema.security = [{ bearerAuth: [] }];
      // GET routes share their schema with the HEAD route Fastify adds: do not append twice.
      const described = String(schema.description ?? '');
      if (needs && !described.includes(needs))
        schema.description = [described, needs].filter(Boolean).join(' ');
      route.schema = schema;
    });

    // Only on the routes that ask for it: a hook on every route costs every request.
    const noStore: onSendHookHandler = (_request, reply, payload, done) => {
      reply.header('cache-control', 'no-store');
      reply.header('pragma', 'no-cache'); // for HTTP/1.0 caches
      done(null, payload);
    };
    app.addHook('onRoute', (route) => {
      if (!(route.config as AuthRouteConfig | undefined)?.noStore) return;
      const hooks = route.onSend ? [route.onSend].flat() : [];
      route.onSend = [...hooks, noStore];
    });

    // Routes declare what they need in their config. Each route that declares any gets one access
    // hook, built as it is registered, running authentication and the checks it asks for (in the
    // order the checks were added) before the body is parsed; the others run none. First among the
    // route's onRequest hooks: its rate limit may be keyed by the caller (message sends).
    const accessChecks: ((config: FastifyContextConfig) => AccessCheck | undefined)[] = [];
    let routed = false;
    app.decorate('addAccessCheck', (forRoute) => {
      // Routes registered earlier would never run it: refuse rather than leave them unchecked.
      if (routed) throw new Error('addAccessCheck: add access checks before the routes they guard');
      accessChecks.push(forRoute);
    });
    app.addHook('onRoute', (route) => {
      routed = true;
      const config: FastifyContextConfig = route.config ?? {};
      const checks = accessChecks.flatMap((forRoute) => forRoute(config) ?? []);
      const signIn = Boolean(config.auth || config.permission || config.superuser || config.org);
      if (!signIn && checks.length === 0) return;
      const optional = config.auth === 'optional';
      const access = async (request: FastifyRequest) => {
        if (signIn && !(optional && request.headers.authorization === undefined))
          await authenticate(request, config);
        for (const check of checks) await check(request);
      };
      const hooks = route.onRequest ? [route.onRequest].flat() : [];
      route.onRequest = [access, ...hooks];
    });
  },
  { name: 'auth', dependencies: ['context'] },
);

/**
 * Other instances announce changes on a NOTIFY channel. Subscribing must not hold up start-up
 * (the database may be down: /health reports it), so it retries in the background; until it
 * succeeds, the cache TTL bounds staleness.
 */
async function subscribeToChanges(app: FastifyInstance, onChange: () => void) {
  let closed = false;
  let unlisten: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const subscribe = () =>
    app.database.listen(AUTH_CHANNEL, onChange).then(
      (stop) => {
        if (closed) void stop().catch(() => {});
        else unlisten = stop;
      },
      (err) => {
        app.log.warn({ err }, 'cannot subscribe to auth changes; retrying');
        if (!closed) timer = setTimeout(subscribe, 5000).unref();
      },
    );
  // Wait briefly for the first attempt, so a fresh instance does not miss early changes.
  const first = subscribe();
  await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  app.addHook('onClose', async () => {
    closed = true;
    clearTimeout(timer);
    await unlisten?.().catch(() => {});
  });
}

const BEARER = /^Bearer ([\w.~+/=-]+)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: unknown) => typeof value === 'string' && UUID.test(value);

function headerAlg(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString());
    return typeof header.alg === 'string' ? header.alg : undefined;
  } catch {
    return undefined;
  }
}

/** The org of an org-scoped route (`config: { org }`), when its id is one the database can hold. */
function routeOrgId(request: FastifyRequest, config: RouteAccess): string | undefined {
  if (!config.org) return undefined;
  const { orgId } = request.params as { orgId?: string };
  return orgId && isUuid(orgId) ? orgId : undefined;
}
