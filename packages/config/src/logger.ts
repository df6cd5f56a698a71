import { createRequire } from 'node:module';
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

/**
 * Whether a process logs for a person reading a terminal: in development, when stdout is one.
 * Everywhere else (a pipe, a file, a container's log driver, staging, production) JSON lines.
 */
export function wantsPrettyLogs(
  config: Pick<Config, 'env'>,
  stdout: { isTTY?: boolean } = process.stdout,
): boolean {
  return config.env === 'development' && stdout.isTTY === true;
}

/**
 * pino-pretty on the main thread (a transport would start a worker thread for it), loaded only
 * when wanted: production never reads it. Required at run time, not imported, so the bundle
 * leaves it in node_modules (apps/all-in-one depends on it) instead of carrying it.
 */
function prettyStream(): pino.DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pretty({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: false,
  });
}

/**
 * The process logger, shared by the API and the worker: JSON lines on stdout, or readable lines
 * when a developer watches a terminal (`wantsPrettyLogs`). Redaction and the error serializer
 * apply before either.
 */
export function createLogger(
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'env'>>,
  destination?: pino.DestinationStream,
): Logger {
  const stream =
    destination ??
    (config.env && wantsPrettyLogs({ env: config.env }) ? prettyStream() : undefined);
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: serializeError },
      base: { service: 'atrium' },
    },
    stream,
  );
}

const { chindingsSym } = pino.symbols;

/**
 * Fastify's `childLoggerFactory`: each request's logger, with its id bound. Fastify's default calls
 * `child(bindings, {})`, whose options object sends pino down its slow path (formatters rebuilt)
 * and runs the id through the wildcard redaction paths, ~2 % of a cached read's CPU. The id is
 * ours (generated, or a client's matched against a strict pattern): it is appended to the child's
 * bindings as JSON, through `pino.symbols`, pino's documented hook for integrations. Route
 * options (a route's log level or serializers) still take pino's own path.
 */
export function requestLogger(
  logger: Logger,
  bindings: Record<string, unknown>,
  options: pino.ChildLoggerOptions | undefined,
): Logger {
  const keys = Object.keys(bindings);
  if ((options && Object.keys(options).length > 0) || keys.length !== 1) {
    return logger.child(bindings, options);
  }
  const [key] = keys as [string];
  const child = logger.child(NO_BINDINGS) as Logger & { [chindingsSym]: string };
  child[chindingsSym] += `,${JSON.stringify(key)}:${JSON.stringify(String(bindings[key]))}`;
  return child;
}
const NO_BINDINGS = {};

export type { Logger };
