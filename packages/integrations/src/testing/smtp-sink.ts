import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSinkOptions {
  /** Answer every message with this SMTP error instead of accepting it. */
  refuse?: { code: number; message: string };
}

/**
 * A real SMTP server on a free loopback port that keeps what it receives, parsed. Tests and
 * benchmarks point SMTP_URL at `url`; `attempts` counts every DATA, accepted or refused.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}) {
  const received: ParsedMail[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      attempts++;
      simpleParser(stream)
        .then((mail) => {
          if (options.refuse) {
            const error = Object.assign(new Error(options.refuse.message), {
              responseCode: options.refuse.code,
            });
            return callback(error);
          }
          received.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  // A client that dies mid-conversation (a SIGKILLed worker) resets its connection: a real server
  // notes it and carries on. Unheard, the 'error' event would end this process.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    get attempts() {
      return attempts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;
