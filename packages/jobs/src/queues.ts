import type { QueueName } from '@atrium/contracts';
import type { RepeatingJob } from './repeating.js';
import type { Processor, Processors } from './types.js';

/**
 * Everything about one queue but its payload schema (the contracts' `JobPayloads[name]`, checked
 * by `enqueue` and again before the processor runs): the processor, defaults for attempts and
 * concurrency (QUEUE_ATTEMPTS / QUEUE_CONCURRENCY override them) and the jobs it runs on a
 * schedule. `Deps` is what processors need (database, transports).
 */
export interface QueueDeclaration<Q extends QueueName, Deps> {
  processor: (deps: Deps) => Processor<Q>;
  attempts?: number;
  concurrency?: number;
  repeating?: Omit<RepeatingJob<Q>, 'queue'>[];
}

/** One declaration per queue of the contracts: a missing or misnamed queue is a type error. */
export type QueueDeclarations<Deps> = { [Q in QueueName]: QueueDeclaration<Q, Deps> };

type Entry<Deps> = [QueueName, QueueDeclaration<QueueName, Deps>];
const entries = <Deps>(queues: QueueDeclarations<Deps>) => Object.entries(queues) as Entry<Deps>[];

export function processorsOf<Deps>(queues: QueueDeclarations<Deps>, deps: Deps): Processors {
  return Object.fromEntries(
    entries(queues).map(([name, q]) => [name, q.processor(deps)]),
  ) as Processors;
}

/** Each queue's declared setting, with the configured overrides on top. */
export function settingByQueue<Deps>(
  queues: QueueDeclarations<Deps>,
  setting: 'attempts' | 'concurrency',
  overrides: Record<string, number>,
): Record<string, number> {
  const declared = entries(queues).flatMap(([name, q]) =>
    q[setting] === undefined ? [] : [[name, q[setting]] as const],
  );
  return { ...Object.fromEntries(declared), ...overrides };
}

export const repeatingJobsOf = <Deps>(queues: QueueDeclarations<Deps>): RepeatingJob[] =>
  entries(queues).flatMap(([queue, q]) =>
    (q.repeating ?? []).map((job) => ({ ...job, queue }) as RepeatingJob),
  );
