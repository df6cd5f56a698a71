import { auditSigningKey } from '@atrium/config';
import {
  AuditEntry,
  AuditExportQuery,
  AuditPage,
  AuditQuery,
  AuditVerification,
  OrgAuditQuery,
  OrgParams,
} from '@atrium/contracts';
import { verifyAudit } from '@atrium/db/queries';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { exportAudit, listAudit, listOrgAudit } from './service.js';

/**
 * The audit log's reads. The whole log needs `audit:read` (superusers hold it); an org's owners
 * read the rows of their org only, through its scope. Nothing here writes: rows are appended by
 * the changes they record, and removed only by the worker's retention.
 */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['audit'];
  const reader = { permission: 'audit:read' } as const;
  const key = auditSigningKey(app.config);

  app.get(
    '/admin/audit',
    {
      config: reader,
      schema: {
        operationId: 'audit.list',
        tags,
        summary: 'Audit events, newest first (filters, keyset pagination)',
        querystring: AuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => listAudit(app.db, request.query),
  );

  app.get(
    '/admin/audit/verify',
    {
      config: reader,
      schema: {
        operationId: 'audit.verify',
        tags,
        summary: 'Walk the hash chain and report the first broken link',
        description:
          "Recomputes every row's hash, checks that seq has no gaps and that each row chains " +
          'from the one before, and that a chain shortened by retention starts at a checkpoint ' +
          "signed with the server's key. Reads the whole log: it takes time on a long one.",
        response: { 200: AuditVerification },
      },
    },
    async () => verifyAudit(app.db, key),
  );

  app.get(
    '/admin/audit/export',
    {
      config: reader,
      schema: {
        operationId: 'audit.export',
        tags,
        summary: 'Export audit events as NDJSON (streamed, oldest first; same filters as the list)',
        querystring: AuditExportQuery,
        response: {
          200: {
            description: 'One AuditEntry per line',
            content: { 'application/x-ndjson': { schema: AuditEntry } },
          },
        },
      },
    },
    async (request, reply) => {
      reply.header('content-type', 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="audit.ndjson"');
      // The schema documents each line; a stream is sent as it is, never serialized.
      return reply.send(exportAudit(app.db, request.query) as never);
    },
  );

  app.get(
    '/orgs/:orgId/audit',
    {
      config: { org: 'audit:read' },
      schema: {
        operationId: 'audit.listForOrg',
        tags,
        summary: "The organization's audit events, newest first (owners)",
        params: OrgParams,
        querystring: OrgAuditQuery,
        response: { 200: AuditPage },
      },
    },
    async (request) => listOrgAudit(request.tenant().scope, request.query),
  );
};
