import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StubFault } from './hubspot-stub.js';

/** One Sync API page as Contentful sends it, before the stub adds its `next…Url`. */
export interface StubSyncPage {
  items: unknown[];
  /** The token of the page after this one (`nextPageUrl`); absent: the last page. */
  nextPage?: string;
  /** On the last page: the token of the next delta (`nextSyncUrl`). */
  nextSync?: string;
}

/** An entry of `contentType` with each field in `locale`, as the Sync API sends it. */
export function stubEntry(
  id: string,
  contentType: string,
  fields: Record<string, unknown>,
  locale = 'en-US',
) {
  const now = new Date().toISOString();
  return {
    sys: {
      type: 'Entry',
      id,
      space: { sys: { type: 'Link', linkType: 'Space', id: 'space' } },
      contentType: { sys: { type: 'Link', linkType: 'ContentType', id: contentType } },
      createdAt: now,
      updatedAt: now,
      revision: 1,
    },
    fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { [locale]: v }])),
  };
}

export const stubDeletedEntry = (id: string) => {
  const now = new Date().toISOString();
  return { sys: { type: 'DeletedEntry', id, createdAt: now, updatedAt: now, deletedAt: now } };
};

/** A link to another entry (a case study's service). */
export const stubLink = (id: string) => ({ sys: { type: 'Link', linkType: 'Entry', id } });

/**
 * A local HTTP server speaking Contentful's Sync API
 * (`GET /spaces/{space}/environments/{env}/sync?initial=true | ?sync_token=…`): pages are
 * registered by the token that asks for them (`initial` for the first), each answered with its
 * `nextPageUrl` or `nextSyncUrl`. A wrong bearer token is a 401, an unknown sync token a 400, as
 * Contentful answers. `faults` are answered first, in order (a 429 with
 * `X-Contentful-RateLimit-Reset`).
 */
export async function startContentfulStub(options: {
  spaceId: string;
  environment: string;
  token: string;
}) {
  const pages = new Map<string, StubSyncPage>();
  const faults: StubFault[] = [];
  const requests: { path: string; query: Record<string, string>; status: number }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const query = Object.fromEntries(url.searchParams);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({ path: url.pathname, query, status });
      res.writeHead(status, {
        'content-type': 'application/vnd.contentful.delivery.v1+json',
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    const fault = faults.shift();
    if (fault) return answer(fault.status, fault.body ?? {}, fault.headers);
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      return answer(401, { sys: { type: 'Error', id: 'AccessTokenInvalid' } });
    }
    const expected = `/spaces/${options.spaceId}/environments/${options.environment}/sync`;
    if (url.pathname !== expected) return answer(404, { sys: { type: 'Error', id: 'NotFound' } });
    const key = query.initial === 'true' ? 'initial' : (query.sync_token ?? '');
    const page = pages.get(key);
    if (!page) return answer(400, { sys: { type: 'Error', id: 'BadRequest' } });
    const base = `${stub.url}${expected}?sync_token=`;
    answer(200, {
      sys: { type: 'Array' },
      items: page.items,
      ...(page.nextPage ? { nextPageUrl: base + page.nextPage } : {}),
      ...(page.nextSync ? { nextSyncUrl: base + page.nextSync } : {}),
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const stub = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pages,
    faults,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return stub;
}
export type ContentfulStub = Awaited<ReturnType<typeof startContentfulStub>>;
