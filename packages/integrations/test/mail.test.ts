import { EmailTemplates } from '@atrium/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError, renderEmail, smtpTransport } from '../src/mail/index.js';
import { type SmtpSink, startSmtpSink } from '../src/testing/index.js';

const APP = 'https://app.example.com/atrium';

/** Valid data for every template, with markup in the values to prove the escaping. */
const samples = {
  'email-verification': { name: '<b>Ada</b>', token: 'tok en&1' },
  'email-change': { name: '<b>Ada</b>', token: 'change-1' },
  'email-change-notice': { name: 'Ada', newEmail: '<b>new</b>@example.com' },
  'password-reset': { token: 'reset-1' },
  'org-invitation': { inviterName: 'Grace <admin>', organizationName: 'R&D', token: 'inv-1' },
  'form-confirmation': { name: 'Alan', formName: 'contact "form"' },
  'demo-confirmation': {
    name: '<b>Ada</b>',
    service: '<script>x</script>',
    timeZone: 'Europe/Paris',
    slots: ['Mon 1 Dec, 10:00 <b>'],
  },
  'sales-notification': {
    formName: 'quote',
    fromEmail: 'lead@example.com',
    message: '<script>alert(1)</script>',
    submissionId: 'sub/1',
  },
  'upload-finished': { fileName: 'a<b>.pdf', uploadId: 'up-1', outcome: 'ready' },
  'report-status-changed': { reportTitle: 'Q3 & Q4', reportId: 'rep-1', status: 'closed' },
} as const;

describe('email templates', () => {
  it.each(EmailTemplates)(
    'renders %s as text and HTML with no raw markup from its data',
    (name) => {
      const email = renderEmail(name, samples[name], APP);
      expect(email.subject.length).toBeGreaterThan(0);
      expect(email.text).toContain('Atrium');
      expect(email.html).not.toMatch(/<(script|b)>/);
      expect(email.html).not.toContain('<admin>');
    },
  );

  it('builds links from PUBLIC_APP_URL, keeping its path, with the token in the fragment', () => {
    const email = renderEmail('email-verification', samples['email-verification'], APP);
    expect(email.text).toContain(`${APP}/verify-email#token=tok+en%261`);
    expect(email.html).toContain(`href="${APP}/verify-email#token=tok+en%261"`);
  });

  it('accepts the data the auth and organization modules send, extra fields included', () => {
    const data = { token: 'abc', link: '/invitations/accept#token=abc', organizationName: 'Acme' };
    const email = renderEmail(
      'org-invitation',
      { ...data, inviterName: 'Ada', role: 'admin' },
      APP,
    );
    expect(email.text).toContain('invited to join an organization on Atrium as admin.');
    expect(email.text).toContain('Organization: “Acme”');
    expect(email.text).toContain('Invited by: “Ada”');
    expect(email.text).toContain(`${APP}/invitations/accept#token=abc`);
  });

  it('keeps invitation names out of the subject and puts them on one capped, quoted line', () => {
    const organizationName = `Pay now\r\nBcc: all@example.com <b>${'x'.repeat(150)}</b>`;
    const email = renderEmail(
      'org-invitation',
      { inviterName: 'Mallory\u202e<i>', organizationName, token: 'inv-2' },
      APP,
    );
    expect(email.subject).toBe('You have been invited to join an organization on Atrium');
    expect(email.text).toContain('Organization: “Pay now Bcc: all@example.com <b>xxx');
    expect(email.text).not.toMatch(/\r|Pay now\n|\u202e/);
    expect(email.text).toContain('Invited by: “Mallory <i>”');
    const line = email.text.split('\n').find((l) => l.startsWith('Organization:'))!;
    expect(line.length).toBeLessThan(100);
    expect(email.html).toContain('Organization: “Pay now Bcc: all@example.com &lt;b&gt;');
  });

  it('escapes values in the HTML and leaves them readable in the text', () => {
    const email = renderEmail('sales-notification', samples['sales-notification'], APP);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.text).toContain('<script>alert(1)</script>');
    expect(email.text).toContain(`${APP}/forms/submissions/sub%2F1`);
  });

  it('refuses data that does not match the template, as a permanent error', () => {
    const render = () => renderEmail('password-reset', { name: 'no token' }, APP);
    expect(render).toThrow(IntegrationError);
    expect(render).toThrow(/password-reset.*token/);
    try {
      render();
    } catch (error) {
      expect((error as IntegrationError).permanent).toBe(true);
    }
  });
});

describe('the SMTP transport', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());

  it('delivers a message with its From, To, Subject and Message-ID headers and escaped HTML', async () => {
    const transport = smtpTransport(sink.url, 'Atrium <no-reply@example.com>');
    const email = renderEmail('sales-notification', samples['sales-notification'], APP);
    await transport.send({ to: 'sales@example.com', ...email, messageId: '<k1@atrium.invalid>' });
    await transport.close();
    const [mail] = sink.received;
    expect(mail?.from?.text).toBe('"Atrium" <no-reply@example.com>');
    expect(mail?.to).toMatchObject({ text: 'sales@example.com' });
    expect(mail?.subject).toBe('New quote from lead@example.com');
    expect(mail?.messageId).toBe('<k1@atrium.invalid>');
    expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail?.text).toContain('<script>alert(1)</script>');
  });
});
