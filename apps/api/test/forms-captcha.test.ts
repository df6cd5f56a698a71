import { formSubmissions } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import {
  type CaptchaStub,
  PASSING_CAPTCHA_TOKEN,
  startCaptchaStub,
} from '@atrium/integrations/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forms, freshIp, submissionRow, submit } from './forms-support.js';
import { testApp } from './support.js';

let stub: CaptchaStub;
beforeAll(async () => {
  stub = await startCaptchaStub();
});
afterAll(() => stub.close());
afterEach(() => {
  stub.state.mode = 'normal';
});

const captchaEnv = (provider: string) => ({
  CAPTCHA_PROVIDER: provider,
  CAPTCHA_SECRET: stub.secret,
  CAPTCHA_VERIFY_URL: stub.url,
  CAPTCHA_TIMEOUT_MS: '300',
});

describe.each(['turnstile', 'hcaptcha', 'recaptcha'])('with CAPTCHA_PROVIDER=%s', (provider) => {
  let app: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    app = await testApp(captchaEnv(provider));
  });
  afterAll(async () => app?.dispose());

  it('accepts a form whose token the provider passes, sending it the secret, token and client IP', async () => {
    const ip = freshIp();
    const before = stub.requests.length;
    const response = await submit(
      app,
      'contact',
      { ...forms.contact(), captchaToken: PASSING_CAPTCHA_TOKEN },
      { ip },
    );
    expect(response.statusCode).toBe(202);
    expect(stub.requests.slice(before)).toEqual([
      { secret: stub.secret, response: PASSING_CAPTCHA_TOKEN, remoteip: ip },
    ]);
    // The token is not part of what is stored.
    expect((await submissionRow(app, response.json().id))!.payload).not.toHaveProperty(
      'captchaToken',
    );
  });

  it('answers 400 captcha_failed without asking the provider when the token is missing', async () => {
    const before = stub.requests.length;
    const response = await submit(app, 'contact', forms.contact());
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'captcha_failed', status: 400 });
    expect(stub.requests.length).toBe(before);
  });

  it('answers a retry with the first id without checking its (spent) token again', async () => {
    const key = `captcha-retry-${freshIp()}-${Date.now()}`;
    const form = forms.contact();
    const first = await submit(
      app,
      'contact',
      { ...form, captchaToken: PASSING_CAPTCHA_TOKEN },
      { key },
    );
    const before = stub.requests.length;
    const retry = await submit(app, 'contact', { ...form, captchaToken: 'spent' }, { key });
    expect(retry.statusCode).toBe(202);
    expect(retry.json().id).toBe(first.json().id);
    expect(stub.requests.length).toBe(before);
  });

  it('answers 400 captcha_failed when the provider refuses the token', async () => {
    const response = await submit(app, 'contact', { ...forms.contact(), captchaToken: 'forged' });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('captcha_failed');
  });

  it.each([
    ['answers 503', 'down'],
    ['does not answer in time', 'hang'],
    ['reports an internal error', 'internal'],
  ] as const)('answers 503, storing nothing, when the provider %s', async (_what, mode) => {
    stub.state.mode = mode;
    const form = { ...forms.contact(), captchaToken: PASSING_CAPTCHA_TOKEN };
    const response = await submit(app, 'contact', form);
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('service_unavailable');
    expect(response.headers['retry-after']).toBeDefined();
    const stored = await app.db
      .select()
      .from(formSubmissions)
      .where(eq(formSubmissions.email, form.email as string));
    expect(stored).toEqual([]);
  });
});
