import { IntegrationError } from '../errors.js';

export interface RetryingFetchOptions {
  /** Tries per call before the job-level retry takes over. */
  tries: number;
  /** Backoff without Retry-After: baseDelayMs · 2^(try-1). */
  baseDelayMs: number;
  /** Longest wait honoured from a Retry-After header; longer ones end the call (the job retries). */
  maxWaitMs: number;
  /** Injected so tests can see the waits without timing them. */
  sleep: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const retryable = (status: number) => status === 429 || status >= 500;

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * fetch with the retry rules of a rate-limited API: 429, 5xx and network errors are retried
 * (waiting what Retry-After asks, else exponential backoff); other answers are returned for the
 * caller to judge. Out of tries, it throws a retryable IntegrationError.
 */
export async function retryingFetch(
  url: string,
  init: RequestInit,
  options: RetryingFetchOptions,
): Promise<Response> {
  let last = '';
  for (let attempt = 1; attempt <= options.tries; attempt++) {
    let wait = options.baseDelayMs * 2 ** (attempt - 1);
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
      if (!retryable(response.status)) return response;
      last = `${response.status} ${await response.text()}`;
      wait = retryAfterMs(response.headers.get('retry-after')) ?? wait;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (attempt === options.tries || wait > options.maxWaitMs) break;
    await options.sleep(wait);
  }
  throw new IntegrationError(
    `${init.method ?? 'GET'} ${new URL(url).pathname} failed: ${last}`,
    false,
  );
}
