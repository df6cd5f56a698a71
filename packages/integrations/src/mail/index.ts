export { IntegrationError } from '../errors.js';
export { parseAddress, type SendgridOptions, sendgridTransport } from './sendgrid.js';
export { escapeHtml, type RenderedEmail, renderEmail } from './templates.js';
export {
  consoleTransport,
  type MailMessage,
  type MailOutcome,
  type MailTransport,
  noneTransport,
  noopTransport,
  smtpTransport,
} from './transport.js';
