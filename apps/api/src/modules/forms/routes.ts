import {
  ContactForm,
  DemoRequestForm,
  FormAccepted,
  FormHeaders,
  FormSubmission,
  FormSubmissionExportQuery,
  FormSubmissionPage,
  FormSubmissionQuery,
  type FormType,
  IdParams,
  QuoteRequestForm,
} from '@atrium/contracts';
import { captchaVerifier } from '@atrium/integrations/captcha';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import { exportCsv } from './export.js';
import { emailLimiter } from './limiter.js';
import { type FormsContext, getSubmission, listSubmissions, submitForm } from './service.js';

/** A form is a few KB: a bigger body is refused (413) before it is parsed. */
const FORM_BODY_LIMIT = 64 * 1024;

const FORMS: { type: FormType; body: TSchema; summary: string }[] = [
  { type: 'contact', body: ContactForm, summary: 'Send the contact form' },
  {
    type: 'demo-request',
    body: DemoRequestForm,
    summary: 'Ask for a demo, proposing up to five times',
  },
  {
    type: 'quote-request',
    body: QuoteRequestForm,
    summary: 'Ask for a quote (service, budget range, timeline, volume)',
  },
];

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

  for (const form of FORMS) {
    app.post(
      `/${form.type}`,
      {
        bodyLimit: FORM_BODY_LIMIT,
        config: {
          rateLimit: { max: forms.limits.perIp, timeWindow: 60_000 },
          errors: [422, ...(forms.captcha ? [503] : [])],
        },
        schema: {
          tags,
          summary: form.summary,
          description:
            'Public. Stored before anything is sent; the confirmation, the sales notification and the CRM sync follow as jobs. 400 `captcha_failed` when a configured captcha is missing or refused.',
          headers: FormHeaders,
          body: form.body,
          response: { 202: FormAccepted },
        },
      },
      async (request, reply) => {
        const accepted = await submitForm(context, form.type, request.body as never, {
          ip: request.ip,
          userAgent: request.headers['user-agent'],
          idempotencyKey: (request.headers as { 'idempotency-key'?: string })['idempotency-key'],
        });
        return reply.status(202).send(accepted);
      },
    );
  }

  app.get(
    '/form-submissions',
    {
      config: reader,
      schema: {
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
        tags,
        summary: 'Export form submissions as CSV (streamed; same filters as the list)',
        querystring: FormSubmissionExportQuery,
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
        tags,
        summary: 'One form submission',
        params: IdParams,
        response: { 200: FormSubmission },
      },
    },
    async (request) => getSubmission(app.db, request.params.id),
  );
};
