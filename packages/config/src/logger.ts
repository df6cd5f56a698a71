import { type Logger, pino } from 'pino';
import type { Config } from './load.js';
import { serializeError } from './log-errors.js';

/** Paths whose values never reach a log line, wherever they appear. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'req.headers["x-upload-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.secret',
];

/** The process logger: JSON lines on stdout, shared by the API and the worker. */
export function createLogger(
  config: Pick<Config, 'logLevel'>,
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: serializeError },
      base: { service: 'atrium' },
    },
    destination,
  );
}

export type { Logger };
