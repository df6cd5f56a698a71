import { Histogram, type Registry } from 'prom-client';

export type JobOutcome = 'completed' | 'failed';

/** Observes one finished attempt; drivers call it, tests and embedded mode may pass nothing. */
export type JobObserver = (queue: string, outcome: JobOutcome, seconds: number) => void;

/** Job duration by queue and outcome, registered on the process's registry (the API's /metrics). */
export function jobDurationHistogram(registry: Registry): JobObserver {
  const histogram = new Histogram({
    name: 'atrium_job_duration_seconds',
    help: 'Time a job attempt took in this process, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return (queue, outcome, seconds) => histogram.observe({ queue, outcome }, seconds);
}
