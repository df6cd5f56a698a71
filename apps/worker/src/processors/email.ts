import { createHash } from 'node:crypto';
import type { Database, FinishedDeliveryStatus } from '@atrium/db';
import type { MailOutcome, MailTransport } from '@atrium/integrations/mail';
import { renderEmail } from '@atrium/integrations/mail';
import { once, type Processor } from '@atrium/jobs';
import { permanentWhenRefused } from './refusals.js';

/** Longer than the SMTP transport's own timeouts, so a live send never loses its lease. */
const EMAIL_LEASE_MS = 60_000;

export interface EmailDeps {
  db: Database;
  mail: MailTransport;
  publicAppUrl: string;
}

/**
 * Renders the template and sends it once per idempotency key (the deliveries table). The
 * Message-ID comes from the key, so even the rare re-send after a crash is recognisably the same.
 * A message the transport only logged or dropped is recorded as such, never as delivered.
 */
export const sendEmail =
  ({ db, mail, publicAppUrl }: EmailDeps): Processor<'email'> =>
  async (payload, ctx) => {
    let outcome: MailOutcome | undefined;
    await permanentWhenRefused(async () => {
      const rendered = renderEmail(payload.template, payload.data, publicAppUrl);
      const digest = createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 32);
      const effect = { kind: 'email', key: ctx.idempotencyKey, leaseMs: EMAIL_LEASE_MS };
      return once(db, effect, async () => {
        outcome = await mail.send({
          to: payload.to,
          ...rendered,
          messageId: `<${digest}@atrium.invalid>`,
        });
        return DELIVERY_STATUS[outcome];
      });
    });
    ctx.log.info(
      { jobId: ctx.jobId, template: payload.template, transport: mail.name, outcome },
      outcome ? MESSAGES[outcome] : 'email was already handled; not sent again',
    );
  };

const DELIVERY_STATUS = {
  sent: 'done',
  logged: 'logged',
  not_sent: 'not_sent',
} as const satisfies Record<MailOutcome, FinishedDeliveryStatus>;

const MESSAGES: Record<MailOutcome, string> = {
  sent: 'email sent',
  logged: 'email logged by the console transport; not sent',
  not_sent: 'email not sent (MAIL_TRANSPORT=none)',
};
