import type { Config } from '@atrium/config';
import type { Database, DatabaseHandle } from '@atrium/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: DatabaseHandle;
    /** Shorthand for `database.db`: the Drizzle instance every module queries. */
    db: Database;
    /** Present when REDIS_URL is set. */
    redis: Redis | undefined;
  }
}

export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  redis: Redis | undefined;
}

/** Shares the config and connections with every module (visible app-wide). */
export const contextPlugin = fp(
  async (app: FastifyInstance, context: AppContext) => {
    app.decorate('config', context.config);
    app.decorate('database', context.database);
    app.decorate('db', context.database.db);
    app.decorate('redis', context.redis);
  },
  { name: 'context' },
);
