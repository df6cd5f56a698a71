import type { Config } from '@atrium/config';
import { type CrmClient, hubspotCrm, logCrm } from '@atrium/integrations/crm';
import { consoleTransport, type MailTransport, smtpTransport } from '@atrium/integrations/mail';
import type { Logger } from '@atrium/jobs';

/** SMTP when SMTP_URL is set; otherwise the console transport (embedded default). */
export function mailFromConfig(config: Config, log: Logger): MailTransport {
  return config.mail.smtpUrl
    ? smtpTransport(config.mail.smtpUrl, config.mail.from)
    : consoleTransport(log);
}

/** HubSpot when HUBSPOT_TOKEN is set; otherwise syncs are only logged. */
export function crmFromConfig(config: Config, log: Logger): CrmClient {
  const { hubspotToken, hubspotBaseUrl } = config.crm;
  return hubspotToken ? hubspotCrm({ token: hubspotToken, baseUrl: hubspotBaseUrl }) : logCrm(log);
}
