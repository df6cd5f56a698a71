import { createHash } from 'node:crypto';
import type { Database } from '@atrium/db';
import type { MailTransport } from '@atrium/integrations/mail';
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
 */
export const sendEmail =
  ({ db, mail, publicAppUrl }: EmailDeps): Processor<'email'> =>
  async (payload, ctx) => {
    const sent = await permanentWhenRefused(async () => {
      const rendered = renderEmail(payload.template, payload.data, publicAppUrl);
      const digest = createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 32);
      const effect = { kind: 'email', key: ctx.idempotencyKey, leaseMs: EMAIL_LEASE_MS };
      return once(db, effect, () =>
        mail.send({ to: payload.to, ...rendered, messageId: `<${digest}@atrium.invalid>` }),
      );
    });
    ctx.log.info(
      { jobId: ctx.jobId, template: payload.template, transport: mail.name, sent },
      sent ? 'email sent' : 'email was already sent; not sent again',
    );
  };
