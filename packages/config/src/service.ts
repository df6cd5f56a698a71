import closeWithGrace from 'close-with-grace';
import { type Config, ConfigError, loadConfig } from './load.js';
import { createLogger, type Logger } from './logger.js';
import { checkServices } from './preflight.js';

/**
 * A process that must not start, for a reason its one-line message says in full (another process
 * holds its data directory…): printed as that line, without a stack trace.
 */
export class RefusedToStart extends Error {
  override name = 'RefusedToStart';
}

export interface Service {
  /** Finishes in-flight work and releases connections. */
  close(): Promise<void>;
}

/**
 * Runs a process (API, worker, or both): validates the environment (a bad value stops it with one
 * line naming the variable), checks that the database and Redis it names answer (one line naming
 * the variable and the target each, no stack trace, when not), starts the service, and on
 * SIGTERM/SIGINT closes it gracefully, forcing the exit after SHUTDOWN_TIMEOUT_MS.
 */
export async function runService(
  name: string,
  start: (context: { config: Config; log: Logger }) => Promise<Service>,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Invalid configuration: ${error.message}`);
    process.exit(1);
  }
  const unreachable = await checkServices(config);
  if (unreachable.length > 0) {
    for (const line of unreachable) console.error(`${name} cannot start: ${line}`);
    process.exit(1);
  }
  const log = createLogger(config).child({ process: name });
  let service: Service;
  try {
    service = await start({ config, log });
  } catch (error) {
    if (error instanceof RefusedToStart) console.error(`${name} cannot start: ${error.message}`);
    else log.fatal({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) log.error({ err }, `${name} is stopping after an error`);
    else log.info({ signal }, `${name} is stopping`);
    await service.close();
  });
}
