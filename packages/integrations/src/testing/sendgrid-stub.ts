import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StubFault } from './hubspot-stub.js';

export interface SendgridMail {
  personalizations: { to: { email: string }[] }[];
  from: { email: string; name?: string };
  subject: string;
  content: { type: string; value: string }[];
  headers?: Record<string, string>;
  custom_args?: Record<string, string>;
}

/**
 * A local server speaking SendGrid's v3 `POST /v3/mail/send`: a bearer key, a JSON body, 202
 * with an empty body and `X-Message-Id` when accepted, 400 `{ errors: [...] }` for a body
 * without personalizations, from, subject or content, 401 for a wrong key. `faults` are
 * answered first, in order (a 429 with Retry-After, a 500).
 */
export async function startSendgridStub(apiKey = 'SG.test-key-0123456789') {
  const accepted: SendgridMail[] = [];
  const attempts: { status: number }[] = [];
  const faults: StubFault[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      attempts.push({ status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const fault = faults.shift();
    if (fault) return answer(fault.status, fault.body ?? { errors: [] }, fault.headers);
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') {
      return answer(404, { errors: [{ message: 'not found' }] });
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return answer(401, { errors: [{ message: 'The provided authorization grant is invalid' }] });
    }
    const mail = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SendgridMail;
    const missing = ['personalizations', 'from', 'subject', 'content'].filter(
      (field) => !(field in mail),
    );
    if (missing.length) {
      return answer(400, {
        errors: missing.map((field) => ({ message: `${field} is required`, field })),
      });
    }
    accepted.push(mail);
    answer(202, undefined, { 'x-message-id': `sg-${accepted.length}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    accepted,
    attempts,
    faults,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SendgridStub = Awaited<ReturnType<typeof startSendgridStub>>;
