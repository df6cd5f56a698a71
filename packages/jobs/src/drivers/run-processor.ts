import { JobPayloads, type QueueName } from '@atrium/contracts';
import { PermanentJobError } from '../errors.js';
import type { JobObserver } from '../metrics.js';
import { payloadValidator } from '../payloads.js';
import type { JobContext, Processors } from '../types.js';

/** Validates the payload against its contract and calls the queue's processor. */
export async function runProcessor(
  processors: Processors,
  queue: string,
  payload: unknown,
  ctx: Omit<JobContext, 'queue'>,
  observe?: JobObserver,
): Promise<void> {
  // No retry can fix an unknown queue or a payload that breaks its contract.
  if (!(queue in JobPayloads)) throw new PermanentJobError(`no processor for queue "${queue}"`);
  const name = queue as QueueName;
  if (!payloadValidator(name).Check(payload)) {
    throw new PermanentJobError(`payload does not match the ${name} contract`);
  }
  const processor = processors[name] as (p: unknown, c: JobContext) => Promise<void>;
  const started = performance.now();
  try {
    await processor(payload, { ...ctx, queue: name });
    observe?.(name, 'completed', (performance.now() - started) / 1000);
  } catch (error) {
    observe?.(name, 'failed', (performance.now() - started) / 1000);
    throw error;
  }
}
