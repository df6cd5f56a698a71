import { type EmailData, type EmailTemplate, EmailTemplateData } from '@atrium/contracts';
import Value from 'typebox/value';
import { IntegrationError } from '../errors.js';

/** What a template says; the layout turns it into text and escaped HTML. */
interface Content {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
}

/** A link into the web app; `secret` values go in the fragment, which browsers never send. */
type Link = (path: string, secret?: Record<string, string>) => string;
type Templates = { [T in EmailTemplate]: (data: EmailData<T>, link: Link) => Content };

const hello = (name?: string) => (name ? `Hello ${name},` : 'Hello,');

/**
 * A user-chosen value on one line: control characters, line and paragraph separators and bidi
 * overrides (which can make text read backwards) become spaces; long values are cut.
 */
const oneLine = (value: string, max: number) => {
  const line = value
    .replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...line]; // code points, so a cut never splits a surrogate pair
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
};
const quoted = (value: string) => `“${oneLine(value, 80)}”`;

const templates: Templates = {
  'email-verification': (d, link) => ({
    subject: 'Confirm your email address',
    paragraphs: [hello(d.name), 'Confirm your email address to finish setting up your account.'],
    action: { label: 'Confirm email', url: link('/verify-email', { token: d.token }) },
  }),
  'email-change': (d, link) => ({
    subject: 'Confirm your new email address',
    paragraphs: [
      hello(d.name),
      'Someone asked to move an Atrium account to this address. If it was not you, ignore this email.',
    ],
    action: { label: 'Confirm new email', url: link('/confirm-email-change', { token: d.token }) },
  }),
  'email-change-notice': (d) => ({
    subject: 'Your email address is being changed',
    paragraphs: [
      hello(d.name),
      `Someone signed in to your account asked to change its email address to ${oneLine(d.newEmail, 320)}. It changes once the new address is confirmed.`,
      'If it was not you, reset your password now and contact an administrator.',
    ],
  }),
  'password-reset': (d, link) => ({
    subject: 'Reset your password',
    paragraphs: [
      hello(d.name),
      'Someone asked to reset your password. If it was not you, ignore this email.',
    ],
    action: { label: 'Choose a new password', url: link('/reset-password', { token: d.token }) },
  }),
  // The org and inviter names are chosen by whoever sends the invitation, possibly to a stranger:
  // they stay out of the subject and appear in the body only as labelled, quoted data.
  'org-invitation': (d, link) => ({
    subject: 'You have been invited to join an organization on Atrium',
    paragraphs: [
      `You have been invited to join an organization on Atrium${d.role ? ` as ${oneLine(d.role, 20)}` : ''}.`,
      `Organization: ${quoted(d.organizationName)}`,
      `Invited by: ${quoted(d.inviterName)}`,
      'If you do not know this organization or did not expect this email, ignore it: nothing happens unless you accept.',
    ],
    action: {
      label: 'Accept the invitation',
      url: link('/invitations/accept', { token: d.token }),
    },
  }),
  // Names and messages come from anyone on the web: one line each where a line is meant, and
  // escaped by the layout in the HTML part.
  'form-confirmation': (d) => ({
    subject: `We received your ${oneLine(d.formName, 60)}`,
    paragraphs: [
      hello(d.name && oneLine(d.name, 100)),
      `Thank you: we received your ${d.formName} and will reply soon.`,
    ],
  }),
  'demo-confirmation': (d) => ({
    subject: 'We received your demo request',
    paragraphs: [
      hello(d.name && oneLine(d.name, 100)),
      `Thank you for asking for a demo of ${quoted(d.service)}. You proposed these times (${oneLine(d.timeZone, 64)}):`,
      ...d.slots.map((slot) => `• ${oneLine(slot, 100)}`),
      'We will confirm one of them by email.',
    ],
  }),
  'sales-notification': (d, link) => ({
    subject: `New ${oneLine(d.formName, 60)} from ${oneLine(d.fromEmail, 320)}`,
    paragraphs: [`${d.fromEmail} wrote through ${d.formName}:`, d.message],
    action: {
      label: 'Open the submission',
      url: link(`/forms/submissions/${encodeURIComponent(d.submissionId)}`),
    },
  }),
  'upload-finished': (d, link) => ({
    subject: d.outcome === 'ready' ? `${d.fileName} is ready` : `${d.fileName} was rejected`,
    paragraphs: [
      d.outcome === 'ready'
        ? `Your upload ${d.fileName} was checked and is ready.`
        : `Your upload ${d.fileName} did not pass the checks and was not kept.`,
    ],
    action: { label: 'View the upload', url: link(`/uploads/${encodeURIComponent(d.uploadId)}`) },
  }),
  'report-status-changed': (d, link) => ({
    subject: `Report "${d.reportTitle}" is now ${d.status}`,
    paragraphs: [`The report "${d.reportTitle}" changed status to ${d.status}.`],
    action: { label: 'Open the report', url: link(`/reports/${encodeURIComponent(d.reportId)}`) },
  }),
};

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Renders a template with its data; links start at `publicAppUrl`. Data that does not match the
 * template's schema is a permanent failure: retrying cannot fix a producer's bug.
 */
export function renderEmail(
  template: EmailTemplate,
  data: Record<string, unknown>,
  publicAppUrl: string,
): RenderedEmail {
  const schema = EmailTemplateData[template];
  if (!Value.Check(schema, data)) {
    const [error] = Value.Errors(schema, data);
    const where = `${error?.instancePath || '/'}: ${error?.message}`;
    throw new IntegrationError(`email data for ${template} is invalid at ${where}`, true);
  }
  const link: Link = (path, secret) => {
    // Relative to the base so an app served under a path (https://x.example/app) keeps it.
    const url = new URL(path.slice(1), `${publicAppUrl}/`);
    // Tokens ride in the fragment: they never reach a server or proxy log; the web app reads
    // them and posts them back (the same convention the auth module's producers use).
    if (secret) url.hash = new URLSearchParams(secret).toString();
    return url.toString();
  };
  const render = templates[template] as (d: unknown, l: Link) => Content;
  return layout(render(data, link));
}

function layout({ subject, paragraphs, action }: Content): RenderedEmail {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), '— Atrium'];
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    action ? `<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>` : '',
    '<p>— Atrium</p></body></html>',
  ];
  return { subject, text: text.join('\n\n'), html: html.join('\n') };
}
