import type { TSchema } from 'typebox';

/** A response header as the OpenAPI document shows it. */
type Header = { type: 'string' | 'integer'; description: string };

export const ETAG_HEADER: Record<string, Header> = {
  etag: { type: 'string', description: 'The version, quoted (`"3"`): send it back in `If-Match`' },
};

export const RETRY_AFTER_HEADER: Record<string, Header> = {
  'retry-after': { type: 'integer', description: 'Seconds to wait before trying again' },
};

/**
 * A contract schema as one route documents it: what the response means on this route, the
 * headers it sends, examples. The body is still the contract's (the docs name it once in
 * components and refer to it); the type is unchanged, so handlers stay typed by it.
 */
export function documented<T extends TSchema>(
  schema: T,
  doc: { description?: string; headers?: Record<string, Header>; examples?: unknown[] },
): T {
  return { ...schema, ...doc };
}

/**
 * A streamed text response (a CSV export, an event stream), documented by its content type. The
 * handler sends a stream, which Fastify passes through without serializing.
 */
export function streamed(
  contentType: 'text/csv' | 'text/event-stream',
  description: string,
  headers?: Record<string, Header>,
) {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { [contentType]: { schema: { type: 'string' } } },
  };
}
