import type { AuditActor } from '@atrium/db/queries';
import type { FastifyRequest } from 'fastify';

/**
 * Who made an audited change: the signed-in user, and the client address as Fastify resolves it
 * (TRUST_PROXY decides whether a proxy's X-Forwarded-For counts).
 */
export const auditActor = (request: FastifyRequest): AuditActor => ({
  actorId: request.user?.id ?? null,
  actorIp: request.ip,
});
