import {
  CompleteUploadRequest,
  FileAnalysis,
  PROBLEM_CONTENT_TYPE,
  Problem,
  UPLOAD_TOKEN_HEADER,
  UploadListQuery,
  UploadPage,
  UploadRequest,
  UploadState,
  UploadTicket,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { localUploadRoutes } from './local-routes.js';
import {
  completeUpload,
  listUploads,
  requestUpload,
  type UploadAccess,
  type UploadsContext,
  uploadResult,
  uploadStatus,
} from './service.js';

const UploadParams = Type.Object({ id: Type.String() }, { additionalProperties: false });

/** A retried request with the same key gets the same upload back (200), with a new token. */
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

/** Anonymous visitors upload (seed 003); a bearer token, when sent, makes its user the owner. */
const anyone = { auth: 'optional' } as const;
/** The upload's own token, or a signed-in owner (or, where noted, `uploads:read`). */
const byTokenOrUser: Record<string, string[]>[] = [{ uploadToken: [] }, { bearerAuth: [] }];

const accessOf = (request: FastifyRequest): UploadAccess => {
  const token = request.headers[UPLOAD_TOKEN_HEADER];
  return { token: typeof token === 'string' ? token : undefined, user: request.user };
};

export const uploadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['uploads'];
  const context: UploadsContext = { db: app.db, storage: app.storage, config: app.config };

  app.post(
    '/upload/request',
    {
      config: { ...anyone, noStore: true },
      schema: {
        tags,
        operationId: 'uploads.request',
        summary: 'Ask for a URL to upload one file to',
        description:
          'Checks the declared type (UPLOAD_TYPES) and size (UPLOAD_MAX_BYTES), records the uploader ' +
          'as a lead, and returns where to send the bytes and an access token shown only here. ' +
          'Limited per client IP and per email address per hour (429 with Retry-After). In ' +
          'production, 503 while no virus scanner is configured (unless UPLOAD_SCAN=off). With an ' +
          '`Idempotency-Key`, a retry of the same request answers 200 with the same upload, a new ' +
          'token and a fresh URL (the first token stops working).',
        headers: IdempotencyHeaders,
        body: UploadRequest,
        response: {
          200: {
            ...UploadTicket,
            description: 'A retry (same `Idempotency-Key`): the same upload',
          },
          201: UploadTicket,
          409: {
            description:
              'The `Idempotency-Key` was used for another request, or its upload has its file (`conflict`)',
            ...problemContent(),
          },
          503: {
            description: 'No virus scanner is configured (`service_unavailable`)',
            ...problemContent(),
          },
        },
      },
    },
    async (request, reply) => {
      const { ticket, created } = await requestUpload(
        context,
        { ip: request.ip, user: request.user, idempotencyKey: request.headers['idempotency-key'] },
        request.body,
      );
      return reply.status(created ? 201 : 200).send(ticket);
    },
  );

  app.post(
    '/upload/complete',
    {
      config: anyone,
      schema: {
        tags,
        operationId: 'uploads.complete',
        summary: 'Say the file is uploaded: its scan and analysis start',
        description:
          'Needs the upload token (`X-Upload-Token`) or the signed-in owner. Idempotent: a second ' +
          'call answers the same and starts nothing. 409 while the file is not in the store.',
        security: byTokenOrUser,
        body: CompleteUploadRequest,
        response: {
          202: UploadState,
          404: {
            description: 'No such upload, or not one the caller may see (`not_found`)',
            ...problemContent(),
          },
          409: { description: 'The file has not arrived yet (`conflict`)', ...problemContent() },
        },
      },
    },
    async (request, reply) => {
      const state = await completeUpload(context, accessOf(request), request.body.uploadId);
      return reply.status(202).send(state);
    },
  );

  app.get(
    '/upload/status/:id',
    {
      config: anyone,
      schema: {
        tags,
        operationId: 'uploads.getStatus',
        summary: 'Where an upload is in its pipeline, stage by stage',
        description: 'The upload token (`X-Upload-Token`), the signed-in owner, or `uploads:read`.',
        security: byTokenOrUser,
        params: UploadParams,
        response: { 200: UploadState },
      },
    },
    async (request) => uploadStatus(app.db, accessOf(request), request.params.id),
  );

  app.get(
    '/upload/result/:id',
    {
      config: anyone,
      schema: {
        tags,
        operationId: 'uploads.getResult',
        summary: "An upload's analysis (404 until there is one)",
        description: 'The upload token (`X-Upload-Token`), the signed-in owner, or `uploads:read`.',
        security: byTokenOrUser,
        params: UploadParams,
        response: { 200: FileAnalysis },
      },
    },
    async (request) => uploadResult(app.db, accessOf(request), request.params.id),
  );

  app.get(
    '/uploads',
    {
      config: { permission: 'uploads:read' },
      schema: {
        tags,
        operationId: 'uploads.list',
        summary: 'Every upload, newest first, optionally of one status',
        querystring: UploadListQuery,
        response: { 200: UploadPage },
      },
    },
    async (request) => listUploads(app.db, request.query),
  );

  await app.register(localUploadRoutes);
};

function problemContent() {
  return { content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } };
}
