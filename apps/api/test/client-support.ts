import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createAtriumClient, memoryTokenStore, type Tokens } from '@atrium/client';
import type { AuthResponse } from '@atrium/contracts';
import type { TestApp } from './auth-support.js';
import { sample } from './interactions-support.js';

/** What a client sent, as the server saw it on the wire. */
export interface Sent {
  method: string;
  path: string;
  headers: Headers;
}

/**
 * The app listening on a real socket, and a way to drop the connections of its live-event
 * streams (as a restarting instance or a flaky network would) without stopping it.
 */
export async function listening(app: TestApp) {
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const streams = new Set<Socket>();
  app.server.on('request', (request: IncomingMessage) => {
    if (!request.url?.startsWith('/api/v1/events')) return;
    streams.add(request.socket);
    request.socket.on('close', () => streams.delete(request.socket));
  });
  return {
    url,
    dropStreams() {
      for (const socket of streams) socket.destroy();
    },
  };
}

/**
 * A reverse proxy to `target` that fails the first `failures` requests for `path`: with an HTML
 * 503, as a proxy in front of a restarting instance does, or (`silent`) with a 200 event stream
 * that never sends a byte more, as a network that vanished without closing the connection looks.
 * Everything else passes through.
 */
export async function flakyProxy(
  target: string,
  path: string,
  failures: number,
  how: 'unavailable' | 'silent' = 'unavailable',
) {
  let left = failures;
  const server = createServer((incoming, outgoing) => {
    if (incoming.url?.startsWith(`/api/v1${path}`) && left > 0) {
      left -= 1;
      if (how === 'silent') {
        outgoing.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
      } else outgoing.writeHead(503, { 'content-type': 'text/html' }).end('<h1>503</h1>');
      return;
    }
    const upstream = request(
      new URL(incoming.url ?? '/', target),
      { method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(upstream);
    outgoing.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An @atrium/client against `url` over the real fetch, recording each request it sends. */
export function clientFor(url: string, tokens?: Tokens | AuthResponse) {
  const sent: Sent[] = [];
  const client = createAtriumClient({
    baseUrl: url,
    tokens: memoryTokenStore(
      tokens && { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken },
    ),
    fetch: (request) => {
      const { pathname } = new URL(request.url);
      sent.push({ method: request.method, path: pathname, headers: new Headers(request.headers) });
      return fetch(request);
    },
  });
  const count = (method: string, path: string) =>
    sent.filter((s) => s.method === method && s.path === `/api/v1${path}`).length;
  return { client, sent, count };
}

/** A valid interaction body (interactions-support's sample), typed for the client's calls. */
export const interaction = (overrides: { title?: string; startAt?: string } = {}) => ({
  ...sample(overrides),
  type: 'meeting' as const,
});
