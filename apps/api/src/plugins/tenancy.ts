import { type OrgAction, OrgActions, type OrgRole, roleAtLeast } from '@atrium/contracts';
import {
  memberships,
  type Prefetched,
  type TenantScope,
  type TenantStatement,
  tenantScope,
} from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden, NotFound } from '../errors.js';
import { isUuid } from '../pagination.js';

/**
 * The row an org-scoped read by id will ask for: on an access-cache miss, authentication reads it
 * in the same statement as the session and the membership, and the handler's `scope.execute` of
 * the same statement with the same params gets it without another round trip.
 */
export interface RowPrefetch {
  statement: TenantStatement<Record<string, unknown>, unknown>;
  /** The statement's params from the route's; undefined when no row could match (e.g. not a UUID). */
  params(routeParams: Record<string, string>): Record<string, unknown> | undefined;
}

export interface OrgContext {
  id: string;
  role: OrgRole;
  /** Tenant data access, filtered by this organization. */
  scope: TenantScope;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An org-scoped route: the action it performs (see `OrgActions` for the role it needs). */
    org?: OrgAction;
    /** An org-scoped read by id: the row it reads, fetched with the session on a cache miss. */
    row?: RowPrefetch;
  }
  interface FastifyRequest {
    /** Set on org-scoped routes once the caller's membership is resolved. */
    org: OrgContext | undefined;
    /** The route's row, when authentication read it (see `RowPrefetch`). */
    prefetched: Prefetched | undefined;
    /** The organization of an org-scoped route (`config: { org }`); 404 on any other route. */
    tenant(): OrgContext;
  }
}

/**
 * The one tenancy mechanism. A route under `/orgs/:orgId` declares `config: { org: action }`;
 * this resolves the caller's membership once, answers 404 to non-members and to ids that are not
 * UUIDs (existence never leaks across tenants), 403 to members below the action's role, and hands
 * the handler `request.org`. Superusers get no bypass: they are members like anyone else.
 * Its check joins the route's access hook (`addAccessCheck`), after authentication.
 */
export const tenancyPlugin = fp(
  async (app: FastifyInstance) => {
    const membership = app.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(
        and(
          eq(memberships.orgId, sql.placeholder('orgId')),
          eq(memberships.userId, sql.placeholder('userId')),
        ),
      )
      .prepare('tenancy_membership');

    app.decorateRequest('org', undefined);
    app.decorateRequest('prefetched', undefined);
    app.decorateRequest('tenant', function (this: FastifyRequest) {
      if (!this.org) throw new NotFound('organization');
      return this.org;
    });
    // Cleared by `app.authChanged()`, which the org module calls whenever a membership changes.
    const roles = app.accessCache<OrgRole | null>();

    app.addHook('onRoute', (route) => {
      const action = route.config?.org;
      if (!action) return;
      const rule = `Requires the \`${OrgActions[action]}\` role or above in the organization (\`${action}\`).`;
      route.schema = {
        ...route.schema,
        description: [route.schema?.description, rule].filter(Boolean).join(' '),
      };
    });

    /** Admits `role` (null: not a member) to the action, or answers 404 / 403. */
    const admit = (
      request: FastifyRequest,
      orgId: string,
      role: OrgRole | null,
      action: OrgAction,
    ) => {
      if (!role) throw new NotFound('organization');
      const needed = OrgActions[action];
      if (!roleAtLeast(role, needed)) {
        throw new Forbidden(
          `This needs the ${needed} role or above in the organization; you are ${role}.`,
        );
      }
      request.org = { id: orgId, role, scope: tenantScope(app.db, orgId, request.prefetched) };
    };

    // Right after authentication, on org routes only; a promise only when the role is not known.
    app.addAccessCheck((config) => {
      const action = config.org;
      if (!action) return undefined;
      return (request) => {
        const { orgId } = request.params as { orgId?: string };
        if (!orgId || !isUuid(orgId)) throw new NotFound('organization');
        const userId = request.me().id;
        const key = `${orgId}:${userId}`;
        // Read with the session when authentication had to ask the database anyway; cached only
        // when read (a hit never extends its entry: the TTL bounds staleness).
        if (request.roleInOrg?.orgId === orgId) {
          roles.set(key, request.roleInOrg.role);
          return admit(request, orgId, request.roleInOrg.role, action);
        }
        const role = roles.get(key);
        if (role !== undefined) return admit(request, orgId, role, action);
        return membership.execute({ orgId, userId }).then(([row]) => {
          roles.set(key, row?.role ?? null);
          admit(request, orgId, row?.role ?? null, action);
        });
      };
    });
  },
  { name: 'tenancy', dependencies: ['context', 'auth'] },
);
