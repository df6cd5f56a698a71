import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** A stable Message-ID (from the job's key) lets receivers and sinks spot a re-send. */
  messageId?: string;
}

export interface MailTransport {
  readonly name: string;
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

interface InfoLogger {
  info(obj: object, msg?: string): void;
}

/** Embedded default: the message goes to the log; the outbox row already keeps the job. */
export function consoleTransport(log: InfoLogger): MailTransport {
  return {
    name: 'console',
    async send(message) {
      log.info(
        {
          to: message.to,
          subject: message.subject,
          messageId: message.messageId,
          text: message.text,
        },
        'email (console transport): not sent',
      );
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
    },
    async close() {
      transporter.close();
    },
  };
}

/** Counts and drops messages: benchmarks measure the job system, not a mail server. */
export function noopTransport(): MailTransport & { sent: number } {
  return {
    name: 'noop',
    sent: 0,
    async send() {
      this.sent++;
    },
    async close() {},
  };
}
