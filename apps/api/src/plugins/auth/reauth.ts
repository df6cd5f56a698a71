import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { HttpError } from '../../errors.js';
import type { AuthRouteConfig } from './index.js';
import { prepareReauthQuery } from './principal.js';

/**
 * Routes with `config: { reauth: true }` get a preHandler; the others nothing, so they cost no
 * more. Identity-provider tokens carry no session of ours: their `auth_time` (else `iat`) counts.
 */
export function addReauthCheck(app: FastifyInstance, reauthWindowSeconds: number) {
  const reauthQuery = prepareReauthQuery(app.db);
  /**
   * `config.reauth`: the session's last password/2FA check must be younger than REAUTH_WINDOW.
   * One indexed read, on these routes only; after the org role check, so a member without the
   * role hears 403 forbidden, not a prompt to sign in again for nothing.
   */
  const reauth: preHandlerAsyncHookHandler = async (request) => {
    let fresh: boolean;
    if (request.session) {
      const [row] = await reauthQuery.execute({
        sid: request.session.id,
        window: reauthWindowSeconds,
      });
      fresh = row?.fresh === true;
    } else {
      const at = request.idpAuthTime ?? 0;
      fresh = Date.now() / 1000 - at < reauthWindowSeconds;
    }
    if (!fresh) {
      throw new HttpError(
        403,
        'reauthentication_required',
        `Confirm it is you: POST /api/v1/auth/reauthenticate with your password or a 2FA code, then retry within ${reauthWindowSeconds} seconds.`,
      );
    }
  };
  app.addHook('onRoute', (route) => {
    if (!(route.config as AuthRouteConfig | undefined)?.reauth) return;
    const hooks = route.preHandler ? [route.preHandler].flat() : [];
    route.preHandler = [reauth, ...hooks];
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const needs = `Needs a password or 2FA check in this session within REAUTH_WINDOW (else 403 \`reauthentication_required\`; see POST /auth/reauthenticate).`;
    const described = String(schema.description ?? '');
    if (!described.includes(needs))
      schema.description = [described, needs].filter(Boolean).join(' ');
    route.schema = schema;
  });
}
