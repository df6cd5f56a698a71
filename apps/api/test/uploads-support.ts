import { randomBytes } from 'node:crypto';
import type { UploadTicket } from '@atrium/contracts';
import { outbox } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { expect } from 'vitest';
import type { testApp } from './support.js';

type App = Awaited<ReturnType<typeof testApp>>;

let counter = 0;

/** A client address of its own, so the per-IP limit of one test never touches another's. */
export const freshIp = () => `10.${randomBytes(3).join('.')}`;

/** A request body of a visitor no other test uses. */
export function uploadBody(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    filename: 'sales.csv',
    contentType: 'text/csv',
    size: 26,
    name: 'Ada Visitor',
    email: `visitor${counter}-${randomBytes(3).toString('hex')}@example.com`,
    ...overrides,
  };
}

export const CSV = Buffer.from('name,amount\nada,1\ngrace,2\n');

export async function requestUpload(
  app: App,
  body: Record<string, unknown> = uploadBody(),
  options: { ip?: string; headers?: Record<string, string> } = {},
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/upload/request',
    remoteAddress: options.ip ?? freshIp(),
    headers: options.headers,
    payload: body,
  });
}

/** A granted upload: asserts the 201 and returns the ticket. */
export async function newUpload(
  app: App,
  overrides: Record<string, unknown> = {},
  headers?: Record<string, string>,
) {
  const response = await requestUpload(app, uploadBody(overrides), { headers });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as UploadTicket;
}

/** The path and signed query of a local upload URL, to send through `inject`. */
export const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

export async function putFile(app: App, ticket: UploadTicket, body: Buffer | string = CSV) {
  return app.inject({
    method: 'PUT',
    url: pathOf(ticket.uploadUrl),
    headers: ticket.headers,
    payload: body,
  });
}

export async function complete(app: App, ticket: UploadTicket, token = ticket.accessToken) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/upload/complete',
    headers: { 'x-upload-token': token },
    payload: { uploadId: ticket.uploadId },
  });
}

export const scanJobs = (app: App, uploadId: string) =>
  app.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.queue, 'file-scan'), sql`${outbox.payload}->>'uploadId' = ${uploadId}`));
