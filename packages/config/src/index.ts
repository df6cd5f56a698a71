export { type Config, ConfigError, type Environment, loadConfig, withDotenv } from './load.js';
export { type Env, EnvSchema } from './schema.js';
