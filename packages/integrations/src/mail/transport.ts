import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** A stable Message-ID (from the job's key) lets receivers and sinks spot a re-send. */
  messageId?: string;
}

/**
 * What became of a message: `sent` (a provider accepted it), `logged` (console transport) or
 * `not_sent` (MAIL_TRANSPORT=none). Only `sent` may ever be recorded as delivered.
 */
export type MailOutcome = 'sent' | 'logged' | 'not_sent';

export interface MailTransport {
  readonly name: string;
  send(message: MailMessage): Promise<MailOutcome>;
  close(): Promise<void>;
}

interface InfoLogger {
  info(obj: object, msg?: string): void;
}

/**
 * Writes each message to the log instead of sending it; the outbox row already keeps the job.
 * The body (reset, verification and invitation links: credentials) goes in only when
 * `withBodies`, which the worker sets in development alone; elsewhere a log reader sees who was
 * mailed what, never the link.
 */
export function consoleTransport(
  log: InfoLogger,
  { withBodies }: { withBodies: boolean },
): MailTransport {
  return {
    name: 'console',
    async send(message) {
      const { to, subject, messageId, text } = message;
      log.info(
        withBodies ? { to, subject, messageId, text } : { to, subject, messageId },
        'email (console transport): not sent',
      );
      return 'logged';
    },
    async close() {},
  };
}

/** MAIL_TRANSPORT=none: a deployment that sends no email; each message is recorded as not sent. */
export function noneTransport(): MailTransport {
  return {
    name: 'none',
    async send() {
      return 'not_sent';
    },
    async close() {},
  };
}

/**
 * SMTP through nodemailer: smtp:// with STARTTLS when offered, smtps:// for implicit TLS.
 * Timeouts are short so a hung server fails the attempt (and the job retries) well within the
 * delivery lease.
 */
export function smtpTransport(smtpUrl: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    // Reused connections: a new SMTP session per message caps a backlog's drain at a few dozen/s.
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    name: 'smtp',
    async send(message) {
      await transporter.sendMail({ from, ...message });
      return 'sent';
    },
    async close() {
      transporter.close();
    },
  };
}

/**
 * Counts and drops messages, answering as a provider would: benchmarks measure the job system's
 * delivered path, not a mail server. Never chosen by configuration (that is `noneTransport`).
 */
export function noopTransport(): MailTransport & { sent: number } {
  return {
    name: 'noop',
    sent: 0,
    async send() {
      this.sent++;
      return 'sent';
    },
    async close() {},
  };
}
