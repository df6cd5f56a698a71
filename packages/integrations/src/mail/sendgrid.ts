import { type RetryingFetchOptions, realSleep, retryingFetch } from '../crm/http.js';
import { IntegrationError } from '../errors.js';
import type { MailTransport } from './transport.js';

export interface SendgridOptions {
  apiKey: string;
  /** https://api.sendgrid.com; tests point it at a local server. */
  apiUrl: string;
  /** MAIL_FROM: `Name <address>` or a bare address. */
  from: string;
  retry?: Partial<RetryingFetchOptions>;
}

/** `Atrium <no-reply@example.com>` → `{ name: 'Atrium', email: 'no-reply@example.com' }`. */
export function parseAddress(value: string): { email: string; name?: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  if (!match) return { email: value.trim() };
  return match[1] ? { name: match[1], email: match[2]! } : { email: match[2]! };
}

/**
 * SendGrid's v3 `mail/send` over plain fetch (its official client adds nothing the HubSpot
 * client's retry rules do not already give): 429 and 5xx are retried with Retry-After or
 * exponential backoff, other refusals are permanent. The job's Message-ID goes both as the
 * message's header and as `custom_args.atrium_message_id`, so a re-send after a crash is
 * recognisable in the recipient's mailbox and in SendGrid's event webhook.
 */
export function sendgridTransport(options: SendgridOptions): MailTransport {
  const retry: RetryingFetchOptions = {
    tries: 4,
    baseDelayMs: 500,
    maxWaitMs: 30_000,
    sleep: realSleep,
    ...options.retry,
  };
  const from = parseAddress(options.from);
  return {
    name: 'sendgrid',
    async send(message) {
      const body = {
        personalizations: [{ to: [{ email: message.to }] }],
        from,
        subject: message.subject,
        content: [
          { type: 'text/plain', value: message.text },
          { type: 'text/html', value: message.html },
        ],
        ...(message.messageId
          ? {
              headers: { 'Message-ID': message.messageId },
              custom_args: { atrium_message_id: message.messageId },
            }
          : {}),
      };
      const response = await retryingFetch(
        `${options.apiUrl}/v3/mail/send`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        },
        retry,
      );
      if (response.status >= 200 && response.status < 300) return 'sent';
      const answer = (await response.json().catch(() => ({}))) as {
        errors?: { message?: string }[];
      };
      const reason = answer.errors?.map((e) => e.message).join('; ') || 'no message';
      throw new IntegrationError(
        `SendGrid refused the message (${response.status}): ${reason}`,
        true,
      );
    },
    async close() {},
  };
}
