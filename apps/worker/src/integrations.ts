import type { Config } from '@atrium/config';
import { type CrmClient, hubspotCrm, logCrm } from '@atrium/integrations/crm';
import {
  consoleTransport,
  type MailTransport,
  noneTransport,
  sendgridTransport,
  smtpTransport,
} from '@atrium/integrations/mail';
import type { Logger } from '@atrium/jobs';

/** The transport MAIL_TRANSPORT names (config has checked that SMTP and SendGrid have theirs). */
export function mailFromConfig(config: Config, log: Logger): MailTransport {
  const { transport, smtpUrl, from, sendgrid } = config.mail;
  switch (transport) {
    case 'smtp':
      return smtpTransport(smtpUrl!, from);
    case 'sendgrid':
      return sendgridTransport({ apiKey: sendgrid.apiKey!, apiUrl: sendgrid.apiUrl, from });
    case 'console':
      // Email bodies carry reset and invitation links: only a developer's own log may show them.
      return consoleTransport(log, { withBodies: config.env === 'development' });
    case 'none':
      return noneTransport();
  }
}

/** HubSpot when HUBSPOT_TOKEN is set; otherwise syncs are only logged. */
export function crmFromConfig(config: Config, log: Logger): CrmClient {
  const { hubspotToken, hubspotBaseUrl, deal } = config.crm;
  return hubspotToken
    ? hubspotCrm({ token: hubspotToken, baseUrl: hubspotBaseUrl, deal })
    : logCrm(log);
}
