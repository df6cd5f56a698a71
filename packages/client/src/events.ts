import {
  type LiveEvent,
  type LiveEventType,
  LiveEventTypes,
  type StreamEndReason,
} from '@atrium/contracts';
import { createParser } from 'eventsource-parser';
import { ProblemError } from './problem.js';
import type { Session } from './session.js';

export interface EventStreamOptions {
  /** Resume after this event (an id the previous stream delivered). */
  lastEventId?: string;
  /** Ends the iteration (and the connection) when aborted. */
  signal?: AbortSignal;
  /** Wait before reconnecting after a dropped connection; by default what the server's `retry:` says. */
  retryMs?: number;
  /**
   * A connection silent this long is taken for dead (a network that vanished without closing
   * it) and replaced; the server sends a heartbeat every 15 s. Default 45 s.
   */
  idleTimeoutMs?: number;
}

const known = new Set<string>(LiveEventTypes);
const GATEWAY_OUTAGE = new Set([502, 503, 504]);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** What one connection delivered before it closed, and why it closed. */
interface Connection {
  ending?: StreamEndReason | 'dropped';
}

/**
 * `GET /events` as an async iterator of typed live events. A dropped connection (network, a
 * restarting instance, a 502/503/504 from a proxy, or silence past `idleTimeoutMs`) reconnects
 * after the retry delay with `Last-Event-ID`, so the server replays what was missed;
 * `session.expired` refreshes the token and reconnects at once; `session.ended` ends the
 * iteration. Any other error answer (401 after a refused refresh, 429 for too many streams)
 * throws a ProblemError. Events of types this client does not know (a newer server) are skipped.
 */
export async function* liveEvents(
  session: Session,
  url: string,
  options: EventStreamOptions = {},
): AsyncGenerator<LiveEvent, void, undefined> {
  const { signal } = options;
  let lastEventId = options.lastEventId ?? '';
  let retryMs = options.retryMs ?? 3000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  while (!signal?.aborted) {
    const used = (await session.tokens())?.accessToken;
    let response: Response;
    try {
      response = await session.send(request(url, lastEventId, signal));
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof ProblemError) throw err;
      await sleep(retryMs, signal); // unreachable: try again, as EventSource does
      continue;
    }
    if (GATEWAY_OUTAGE.has(response.status)) {
      // A proxy in front of a restarting instance: as unreachable as a dropped connection.
      await response.body?.cancel();
      await sleep(retryMs, signal);
      continue;
    }
    if (!response.ok) throw await ProblemError.read(response);
    const connection: Connection = {};
    const pending: LiveEvent[] = [];
    const parser = createParser({
      onRetry: (ms) => {
        retryMs = options.retryMs ?? ms;
      },
      onEvent: ({ id, event, data }) => {
        if (event === 'session.expired' || event === 'session.ended') connection.ending = event;
        else if (id && event && known.has(event)) {
          pending.push({ id, type: event as LiveEventType, data: JSON.parse(data) } as LiveEvent);
        }
      },
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      while (!connection.ending) {
        const { value, done } = await readWithin(reader, idleTimeoutMs);
        if (done) connection.ending = 'dropped';
        else parser.feed(decoder.decode(value, { stream: true }));
        for (let event = pending.shift(); event; event = pending.shift()) {
          lastEventId = event.id;
          yield event;
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    if (connection.ending === 'session.ended') return;
    if (connection.ending === 'session.expired') {
      if (used) await session.renewAfter(used);
    } else await sleep(retryMs, signal);
  }
}

type Chunk = { value: Uint8Array; done: false } | { value: undefined; done: true };

/** The next chunk, or `done` when the stream fails or stays silent for `timeoutMs`. */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  timeoutMs: number,
): Promise<Chunk> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<Chunk>((resolve) => {
    timer = setTimeout(() => resolve({ value: undefined, done: true }), timeoutMs);
  });
  const read = reader.read().then(
    (chunk) => chunk as Chunk,
    (): Chunk => ({ value: undefined, done: true }),
  );
  try {
    return await Promise.race([read, silence]);
  } finally {
    clearTimeout(timer);
  }
}

function request(url: string, lastEventId: string, signal: AbortSignal | undefined) {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  return new Request(url, { headers, ...(signal ? { signal } : {}) });
}
