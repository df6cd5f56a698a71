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
import { Type } from 'typebox';
import {
  commentOnReport,
  createReport,
  getReport,
  listReports,
  type ReportsContext,
  resolveReport,
  updateReport,
} from './service.js';

const auth = { auth: true } as const;
const moderator = { permission: 'reports:manage' } as const;
const CommentResult = Type.Object({ report: Report, comment: ReportComment });

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['reports'];
  const context: ReportsContext = {
    db: app.db,
    publish: (userId, type, report) => app.events.publish(userId, type, report),
  };

  app.post(
    '/reports',
    {
      config: auth,
      schema: {
        operationId: 'reports.create',
        tags,
        summary: 'Report a problem to the moderators',
        body: CreateReportRequest,
        response: { 201: Report },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createReport(app.db, request.me(), request.body)),
  );

  app.get(
    '/reports',
    {
      config: auth,
      schema: {
        operationId: 'reports.list',
        tags,
        summary: 'Your reports, newest first',
        querystring: PageQuery,
        response: { 200: ReportPage },
      },
    },
    async (request) => listReports(app.db, { reporterId: request.me().id }, request.query),
  );

  app.get(
    '/reports/admin/all',
    {
      config: moderator,
      schema: {
        operationId: 'reports.listAll',
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
        operationId: 'reports.get',
        tags,
        summary: 'One report with its comments (reporter or moderator)',
        params: ReportParams,
        response: { 200: ReportDetail },
      },
    },
    async (request) => getReport(app.db, request.me(), request.params.id),
  );

  app.patch(
    '/reports/:id',
    {
      config: { ...auth, errors: [409] },
      schema: {
        operationId: 'reports.update',
        tags,
        summary: 'Edit your report while it is open',
        params: ReportParams,
        body: UpdateReportRequest,
        response: { 200: Report },
      },
    },
    async (request) => updateReport(app.db, request.me(), request.params.id, request.body),
  );

  app.post(
    '/reports/:id/comments',
    {
      config: auth,
      schema: {
        operationId: 'reports.comment',
        tags,
        summary: 'Comment on a report; moderators may also change its status',
        params: ReportParams,
        body: CommentReportRequest,
        response: { 201: CommentResult },
      },
    },
    async (request, reply) => {
      const result = await commentOnReport(context, request.me(), request.params.id, request.body);
      return reply.status(201).send(result);
    },
  );

  app.put(
    '/reports/:id/resolve',
    {
      config: { ...moderator, errors: [409] },
      schema: {
        operationId: 'reports.resolve',
        tags,
        summary: 'Resolve a report',
        params: ReportParams,
        body: ResolveReportRequest,
        response: { 200: CommentResult },
      },
    },
    async (request) =>
      resolveReport(context, request.me(), request.params.id, request.body?.comment),
  );
};
