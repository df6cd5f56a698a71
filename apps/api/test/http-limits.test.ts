import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support.js';

let app: Awaited<ReturnType<typeof testApp>>;
let port: number;

beforeAll(async () => {
  app = await testApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});
afterAll(() => app.dispose());

/** Sends bytes as they are (no client library normalizes them) and reads until the server closes. */
function raw(request: string) {
  return new Promise<{ status: number; headers: string; body: string }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
  });
}

const get = (path: string, extra = '') =>
  raw(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`);

describe('answers the server refuses before routing are problem+json too', () => {
  it('answers headers over the size limit with 431 headers_too_large', async () => {
    const response = await get('/health/live', `X-Padding: ${'a'.repeat(20_000)}\r\n`);
    expect(response.status).toBe(431);
    expect(response.headers).toContain('content-type: application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 431, code: 'headers_too_large' });
  });

  it('answers a path segment over the length limit with 414 uri_too_long', async () => {
    const response = await get(`/api/v1/orgs/${'a'.repeat(300)}/interactions`);
    expect(response.status).toBe(414);
    expect(response.headers).toContain('content-type: application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 414, code: 'uri_too_long' });
  });

  it('answers a malformed percent-encoding with 400 bad_request', async () => {
    const response = await get('/api/v1/orgs/%E0%A4%A/interactions');
    expect(response.status).toBe(400);
    expect(response.headers).toContain('content-type: application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('answers bytes that are not HTTP with 400 bad_request', async () => {
    const response = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'bad_request' });
  });
});
