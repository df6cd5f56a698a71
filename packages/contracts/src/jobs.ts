import { type Static, Type } from 'typebox';

/**
 * Job payloads, one schema per queue. Producers (API modules) and processors (the worker)
 * both take their types from here, so the two sides cannot drift apart.
 */

export const EmailJob = Type.Object({
  to: Type.String({ format: 'email' }),
  template: Type.String({ minLength: 1, description: 'Template name, e.g. `password-reset`' }),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type EmailJob = Static<typeof EmailJob>;

export const MaintenanceJob = Type.Object({
  task: Type.Union([Type.Literal('prune-outbox')]),
});
export type MaintenanceJob = Static<typeof MaintenanceJob>;

export const JobPayloads = {
  email: EmailJob,
  maintenance: MaintenanceJob,
} as const;

export type QueueName = keyof typeof JobPayloads;
export type JobPayload<Q extends QueueName> = Static<(typeof JobPayloads)[Q]>;
export const QueueNames = Object.keys(JobPayloads) as QueueName[];
