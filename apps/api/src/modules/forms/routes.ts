import {
  ContactForm,
  DemoRequestForm,
  FormAccepted,
  FormHeaders,
  FormSubmission,
  FormSubmissionExportQuery,
  FormSubmissionPage,
  FormSubmissionQuery,
  IdParams,
  QuoteRequestForm,
} from '@atrium/contracts';
import { captchaVerifier } from '@atrium/integrations/captcha';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { streamed } from '../../openapi.js';
import { exportCsv } from './export.js';
import { emailLimiter } from './limiter.js';
import {
  type FormsContext,
  getSubmission,
  listSubmissions,
  type Origin,
  submitForm,
} from './service.js';

/** A form is a few KB: a bigger body is refused (413) before it is parsed. */
const FORM_BODY_LIMIT = 64 * 1024;

const reader = { permission: 'forms:read' } as const;

export const formRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['forms'];
  const { forms, queuePrefix } = app.config;
  const context: FormsContext = {
    db: app.db,
    captcha: forms.captcha && captchaVerifier(forms.captcha),
    salesInbox: forms.salesInbox,
    emailLimit: emailLimiter(forms.limits.perEmail, queuePrefix, app.redis),
    log: app.log,
  };

  /** A form route's options: public, limited per IP, its body closed and capped at 64 KB. */
  const formRoute = <T extends TSchema>(operationId: string, body: T, summary: string) => ({
    bodyLimit: FORM_BODY_LIMIT,
    config: {
      rateLimit: { max: forms.limits.perIp, timeWindow: 60_000 },
      errors: [422, ...(forms.captcha ? [503] : [])],
    },
    schema: {
      operationId,
      tags,
      summary,
      description:
        'Public. Stored before anything is sent; the confirmation, the sales notification and the CRM sync follow as jobs. 400 `captcha_failed` when a configured captcha is missing or refused.',
      headers: FormHeaders,
      body,
      response: { 202: FormAccepted },
    },
  });
  const origin = (request: FastifyRequest): Origin => {
    const key = request.headers['idempotency-key'];
    return {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
      // The headers schema has checked it is one string.
      idempotencyKey: typeof key === 'string' ? key : undefined,
    };
  };

  app.post(
    '/contact',
    formRoute('forms.contact', ContactForm, 'Send the contact form'),
    async (request, reply) =>
      reply.status(202).send(await submitForm(context, 'contact', request.body, origin(request))),
  );
  app.post(
    '/demo-request',
    formRoute('forms.demoRequest', DemoRequestForm, 'Ask for a demo, proposing up to five times'),
    async (request, reply) =>
      reply
        .status(202)
        .send(await submitForm(context, 'demo-request', request.body, origin(request))),
  );
  app.post(
    '/quote-request',
    formRoute(
      'forms.quoteRequest',
      QuoteRequestForm,
      'Ask for a quote (service, budget range, timeline, volume)',
    ),
    async (request, reply) =>
      reply
        .status(202)
        .send(await submitForm(context, 'quote-request', request.body, origin(request))),
  );

  app.get(
    '/form-submissions',
    {
      config: reader,
      schema: {
        operationId: 'forms.listSubmissions',
        tags,
        summary: 'Form submissions, newest first (?type, ?from, ?to, ?spam)',
        querystring: FormSubmissionQuery,
        response: { 200: FormSubmissionPage },
      },
    },
    async (request) => listSubmissions(app.db, request.query),
  );

  app.get(
    '/form-submissions/export',
    {
      config: reader,
      schema: {
        operationId: 'forms.exportSubmissions',
        tags,
        summary: 'Export form submissions as CSV (streamed; same filters as the list)',
        querystring: FormSubmissionExportQuery,
        response: {
          200: streamed('text/csv', 'The matching submissions as CSV with a header row', {
            'content-disposition': {
              type: 'string',
              description: 'attachment; filename="form-submissions.csv"',
            },
          }),
        },
      },
    },
    async (request, reply) => {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="form-submissions.csv"');
      return reply.send(exportCsv(app.db, request.query));
    },
  );

  app.get(
    '/form-submissions/:id',
    {
      config: reader,
      schema: {
        operationId: 'forms.getSubmission',
        tags,
        summary: 'One form submission',
        params: IdParams,
        response: { 200: FormSubmission },
      },
    },
    async (request) => getSubmission(app.db, request.params.id),
  );
};
