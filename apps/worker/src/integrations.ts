import { randomBytes } from 'node:crypto';
import type { Config } from '@atrium/config';
import { type CrmClient, hubspotCrm, logCrm } from '@atrium/integrations/crm';
import {
  consoleTransport,
  type MailTransport,
  noneTransport,
  sendgridTransport,
  smtpTransport,
} from '@atrium/integrations/mail';
import { clamdScanner } from '@atrium/integrations/scanner';
import type { Logger } from '@atrium/jobs';
import { type Storage, storageFromSettings } from '@atrium/storage';
import type { ScanPolicy } from './processors/uploads/index.js';

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

/**
 * The store uploads live in. The worker reads, moves and deletes objects but never issues upload
 * URLs, so the local driver gets a random signing key: nothing it could sign would be accepted.
 */
export function storageFromConfig(config: Config): Promise<Storage> {
  return storageFromSettings(config.storage, {
    signingSecret: randomBytes(32),
    uploadUrl: 'http://worker.invalid/never-signed',
  });
}

/**
 * clamd when configured; otherwise UPLOAD_SCAN=off and development skip the scan (the stage says
 * so), and staging and production keep files quarantined: the API refuses uploads there anyway.
 */
export function scanPolicyFromConfig(config: Config, log: Logger): ScanPolicy {
  if (!config.uploads.scan) {
    return { mode: 'skip', reason: 'scanning is turned off (UPLOAD_SCAN=off)' };
  }
  if (config.scanner) return { mode: 'clamd', scanner: clamdScanner(config.scanner) };
  if (config.env === 'development' || config.env === 'test') {
    return { mode: 'skip', reason: 'no scanner configured' };
  }
  log.error({}, 'no scanner configured (CLAMAV_HOST or CLAMAV_SOCKET): uploads stay quarantined');
  return { mode: 'wait', reason: 'no scanner configured' };
}
