import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  IntegrationError,
  parseAddress,
  renderEmail,
  sendgridTransport,
} from '../src/mail/index.js';
import { type SendgridStub, startSendgridStub } from '../src/testing/index.js';

let stub: SendgridStub;
let waits: number[];
beforeEach(async () => {
  stub = await startSendgridStub();
  waits = [];
});
afterEach(() => stub.close());

/** A transport on the stub whose sleeps are recorded, not slept. */
const transport = (apiKey = stub.apiKey) =>
  sendgridTransport({
    apiKey,
    apiUrl: stub.url,
    from: 'Atrium <no-reply@example.com>',
    retry: {
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
  });

const message = () => ({
  to: 'ada@example.com',
  ...renderEmail(
    'sales-notification',
    {
      formName: 'quote',
      fromEmail: 'a@example.com',
      message: '<script>x</script>',
      submissionId: 's1',
    },
    'https://app.example.com',
  ),
  messageId: '<k1@atrium.invalid>',
});

describe('the SendGrid mail transport', () => {
  it('sends through v3 mail/send with both parts, the From parsed, and the stable message id', async () => {
    expect(await transport().send(message())).toBe('sent');
    expect(stub.accepted).toHaveLength(1);
    const [mail] = stub.accepted;
    expect(mail!.personalizations).toEqual([{ to: [{ email: 'ada@example.com' }] }]);
    expect(mail!.from).toEqual({ name: 'Atrium', email: 'no-reply@example.com' });
    expect(mail!.subject).toBe('New quote from a@example.com');
    expect(mail!.content.map((c) => c.type)).toEqual(['text/plain', 'text/html']);
    expect(mail!.content[0]!.value).toContain('<script>x</script>');
    expect(mail!.content[1]!.value).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(mail!.headers).toEqual({ 'Message-ID': '<k1@atrium.invalid>' });
    expect(mail!.custom_args).toEqual({ atrium_message_id: '<k1@atrium.invalid>' });
  });

  it('waits what Retry-After asks after a 429, then sends', async () => {
    stub.faults.push({ status: 429, headers: { 'retry-after': '3' } });
    expect(await transport().send(message())).toBe('sent');
    expect(waits).toEqual([3000]);
    expect(stub.accepted).toHaveLength(1);
  });

  it('retries 5xx answers with exponential backoff', async () => {
    stub.faults.push({ status: 500 }, { status: 503 });
    expect(await transport().send(message())).toBe('sent');
    expect(waits).toEqual([500, 1000]);
  });

  it('gives up after its tries with a retryable error, for the job to retry later', async () => {
    stub.faults.push({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const error = await transport()
      .send(message())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).permanent).toBe(false);
    expect(stub.accepted).toEqual([]);
  });

  it.each([
    ['a refused key (401)', () => transport('SG.wrong-key-000000')],
    ['an invalid message (400)', () => transport()],
  ])('fails permanently on %s, without retrying', async (what, make) => {
    const bad = what.includes('400') ? { ...message(), subject: undefined } : message();
    const error = await make()
      .send(bad as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).permanent).toBe(true);
    expect(stub.attempts).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('never puts the API key in an error message', async () => {
    stub.faults.push({ status: 400, body: { errors: [{ message: 'bad' }] } });
    const error = (await transport()
      .send(message())
      .catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain(stub.apiKey);
  });
});

describe('parseAddress', () => {
  it.each([
    ['Atrium <no-reply@example.com>', { name: 'Atrium', email: 'no-reply@example.com' }],
    ['"Acme Sales" <sales@acme.test>', { name: 'Acme Sales', email: 'sales@acme.test' }],
    ['plain@example.com', { email: 'plain@example.com' }],
  ])('reads %s', (value, expected) => {
    expect(parseAddress(value)).toEqual(expected);
  });
});
