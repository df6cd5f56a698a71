import { hasPermission } from '@atrium/auth';
import {
  AdminReportQuery,
  CommentReportRequest,
  CreateReportRequest,
  PageQuery,
  Report,
  ReportComment,
  ReportDetail,
  ReportPage,
  ReportParams,
  ResolveReportRequest,
  UpdateReportRequest,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { type Actor, createReport, getReport, listReports, updateReport } from './service.js';
import { commentOnReport, resolveReport } from './workflow.js';

const auth = { auth: true } as const;
const moderator = { permission: 'reports:manage' } as const;
const actor = (request: FastifyRequest): Actor => ({
  id: request.user!.id,
  moderator: hasPermission(request.user!, 'reports:manage'),
});
const CommentResult = Type.Object({ report: Report, comment: ReportComment });

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['reports'];
  /** The reporter hears of every status change, after it commits. */
  const announce = async <R extends { report: Report; statusChanged: boolean }>(result: R) => {
    if (result.statusChanged) {
      await app.events.publish(result.report.reporterId, 'report.updated', result.report);
    }
    return result;
  };

  app.post(
    '/reports',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Report a problem to the moderators',
        body: CreateReportRequest,
        response: { 201: Report },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createReport(app.db, request.user!.id, request.body)),
  );

  app.get(
    '/reports',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Your reports, newest first',
        querystring: PageQuery,
        response: { 200: ReportPage },
      },
    },
    async (request) => listReports(app.db, { reporterId: request.user!.id }, request.query),
  );

  app.get(
    '/reports/admin/all',
    {
      config: moderator,
      schema: {
        tags,
        summary: 'Every report, optionally of one status',
        querystring: AdminReportQuery,
        response: { 200: ReportPage },
      },
    },
    async (request) => listReports(app.db, { status: request.query.status }, request.query),
  );

  app.get(
    '/reports/:id',
    {
      config: auth,
      schema: {
        tags,
        summary: 'One report with its comments (reporter or moderator)',
        params: ReportParams,
        response: { 200: ReportDetail },
      },
    },
    async (request) => getReport(app.db, actor(request), request.params.id),
  );

  app.patch(
    '/reports/:id',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Edit your report while it is open',
        params: ReportParams,
        body: UpdateReportRequest,
        response: { 200: Report },
      },
    },
    async (request) => updateReport(app.db, actor(request), request.params.id, request.body),
  );

  app.post(
    '/reports/:id/comments',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Comment on a report; moderators may also change its status',
        params: ReportParams,
        body: CommentReportRequest,
        response: { 201: CommentResult },
      },
    },
    async (request, reply) => {
      const result = await commentOnReport(app.db, actor(request), request.params.id, request.body);
      return reply.status(201).send(await announce(result));
    },
  );

  app.put(
    '/reports/:id/resolve',
    {
      config: moderator,
      schema: {
        tags,
        summary: 'Resolve a report',
        params: ReportParams,
        body: ResolveReportRequest,
        response: { 200: CommentResult },
      },
    },
    async (request) =>
      announce(
        await resolveReport(app.db, actor(request), request.params.id, request.body?.comment),
      ),
  );
};
