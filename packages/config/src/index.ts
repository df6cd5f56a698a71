export { configTable, ENV_DOCS, envExample, README_TABLE } from './docs.js';
export { type Config, ConfigError, type Environment, loadConfig, withDotenv } from './load.js';
export { createLogger, type Logger, requestLogger, wantsPrettyLogs } from './logger.js';
export { checkServices, describeUrl, failureReason } from './preflight.js';
export { type Env, EnvSchema } from './schema.js';
export { auditSigningKey, jwtSecret, localSecret, uploadSigningKey } from './secrets.js';
export { RefusedToStart, runService, type Service } from './service.js';
