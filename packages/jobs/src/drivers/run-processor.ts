import { JobPayloads, type QueueName } from '@atrium/contracts';
import Value from 'typebox/value';
import type { JobContext, Processors } from '../types.js';

/** Validates the payload against its contract and calls the queue's processor. */
export async function runProcessor(
  processors: Processors,
  queue: string,
  payload: unknown,
  ctx: Omit<JobContext, 'queue'>,
): Promise<void> {
  if (!(queue in JobPayloads)) throw new Error(`no processor for queue "${queue}"`);
  const name = queue as QueueName;
  const schema = JobPayloads[name];
  if (!Value.Check(schema, payload)) throw new Error(`payload does not match the ${name} contract`);
  const processor = processors[name] as (p: unknown, c: JobContext) => Promise<void>;
  await processor(payload, { ...ctx, queue: name });
}
