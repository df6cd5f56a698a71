import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the stub answers: `normal` passes the token `pass` and refuses any other the way the
 * providers do (`success: false` with `invalid-input-response`); `down` answers 503; `hang`
 * never answers (a timeout); `internal` is Turnstile's `internal-error`.
 */
export type CaptchaStubMode = 'normal' | 'down' | 'hang' | 'internal';

export const PASSING_CAPTCHA_TOKEN = 'pass';

/**
 * A local server speaking the siteverify wire format Turnstile, hCaptcha and reCAPTCHA share:
 * `application/x-www-form-urlencoded` POST of secret, response and remoteip; a JSON answer.
 */
export async function startCaptchaStub(secret = 'captcha-test-secret') {
  const requests: Record<string, string>[] = [];
  const state = { mode: 'normal' as CaptchaStubMode };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    requests.push(form);
    if (state.mode === 'hang') return; // closed by close()
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (state.mode === 'down') return answer(503, { error: 'unavailable' });
    if (state.mode === 'internal') {
      return answer(200, { success: false, 'error-codes': ['internal-error'] });
    }
    if (form.secret !== secret) {
      return answer(200, { success: false, 'error-codes': ['invalid-input-secret'] });
    }
    if (!form.response) {
      return answer(200, { success: false, 'error-codes': ['missing-input-response'] });
    }
    if (form.response !== PASSING_CAPTCHA_TOKEN) {
      return answer(200, { success: false, 'error-codes': ['invalid-input-response'] });
    }
    answer(200, {
      success: true,
      challenge_ts: new Date().toISOString(),
      hostname: 'www.example.com',
      'error-codes': [],
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/siteverify`,
    secret,
    requests,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type CaptchaStub = Awaited<ReturnType<typeof startCaptchaStub>>;
