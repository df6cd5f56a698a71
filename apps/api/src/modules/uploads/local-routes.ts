import type { Readable } from 'node:stream';
import {
  LOCAL_UPLOAD_ROUTE,
  LocalUploadQuery,
  NoContent,
  PROBLEM_CONTENT_TYPE,
  Problem,
} from '@atrium/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import { receiveLocalUpload } from './local-service.js';

/**
 * The local store's upload URL, in a plugin of its own so that its raw-body parser applies to this
 * route and no other. Registered with every driver, so the API document is the same in every
 * mode; with S3 it answers 404 saying where files go instead.
 */
export const localUploadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['uploads'];
  const { storage } = app;

  // The body is the file: handed over as the raw stream and written to disk as it arrives,
  // whatever its type and beyond BODY_LIMIT (the signed size is the limit). Only here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.put(
    LOCAL_UPLOAD_ROUTE,
    {
      // The query is the URL's signature, a capability until it expires: kept out of logs.
      logSerializers: { req: withoutQuery },
      // Before the query is validated: with S3 there is nothing here to sign for.
      onRequest: async () => {
        if (storage.driver !== 'local') throw elsewhere();
      },
      schema: {
        tags,
        operationId: 'uploads.putFile',
        summary: 'The upload URL of the local store: PUT the file here',
        description:
          'The URL `POST /upload/request` returned, unchanged (its query is signed). Send the ' +
          'file as the body with the declared Content-Type. 403 when the URL is tampered with ' +
          'or expired, 413 past the declared size (nothing is kept), 409 on a second upload.',
        querystring: LocalUploadQuery,
        response: {
          204: NoContent,
          403: {
            description: 'The URL is tampered with or expired (`forbidden`)',
            ...problemContent(),
          },
          404: {
            description:
              'This server stores uploads in S3 (`not_found`): PUT to the URL `POST /upload/request` returned',
            ...problemContent(),
          },
          409: {
            description: 'The file was already uploaded (`conflict`)',
            ...problemContent(),
          },
          413: {
            description: 'The body is larger than declared (`payload_too_large`)',
            ...problemContent(),
          },
          415: {
            description: 'The Content-Type is not the declared one (`unsupported_media_type`)',
            ...problemContent(),
          },
        },
      },
    },
    async (request, reply) => {
      if (storage.driver !== 'local') throw elsewhere();
      await receiveLocalUpload(app.db, storage, app.uploadSigningSecret, {
        query: request.query,
        contentType: request.headers['content-type'],
        contentLength: request.headers['content-length'],
        body: (request.body as Readable | undefined) ?? request.raw,
      });
      return reply.status(204).send(null);
    },
  );
};

const elsewhere = () =>
  new HttpError(
    404,
    'not_found',
    'This server stores uploads in S3: PUT the file to the URL that POST /upload/request returned.',
  );

function withoutQuery(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.url.split('?')[0],
    host: request.host,
    remoteAddress: request.ip,
  };
}

const problemContent = () => ({ content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } });
