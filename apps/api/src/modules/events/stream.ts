import type { ServerResponse } from 'node:http';
import type { StreamEndReason } from '@atrium/contracts';

/** What a stream writes of an event of the bus (`app.events`): its id, name and data. */
interface LiveEvent {
  id: string;
  type: string;
  data: unknown;
}

const HEARTBEAT_MS = 15_000;
/** setTimeout's ceiling (~24.8 days); a later expiry is re-armed when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One user may hold many streams (tabs, devices): serialize each event once, not per stream. */
const frames = new WeakMap<LiveEvent, string>();
const frame = (event: LiveEvent) => {
  let text = frames.get(event);
  if (text === undefined) {
    text = `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    frames.set(event, text);
  }
  return text;
};

export interface StreamOwner {
  userId: string;
  /** Absent for identity-provider tokens, which carry no session of ours. */
  sessionId: string | undefined;
  /** When the access token expires, ms since the epoch. */
  expiresAt: number;
}

/**
 * One open `text/event-stream` response. Delivery can be held (while the replay is read, while
 * the session is re-checked): held events queue and go out on release, unless the stream ended
 * meanwhile, so nothing reaches a session that turned out to be over.
 */
export class LiveStream {
  private holds = 0;
  private queue: LiveEvent[] = [];
  private lastSent: string;
  private timers: NodeJS.Timeout[] = [];
  private readonly onEnd: (() => void)[] = [];
  ended = false;

  constructor(
    private readonly raw: ServerResponse,
    readonly owner: StreamOwner,
    lastEventId: string,
  ) {
    this.lastSent = lastEventId;
  }

  /** Writes the head and starts the heartbeat and the expiry timer. */
  open(requestId: string) {
    this.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // proxies must not buffer the stream
      'x-request-id': requestId,
    });
    this.raw.write('retry: 3000\n\n');
    this.raw.on('close', () => this.end());
    this.timers.push(setInterval(() => this.raw.write(': heartbeat\n\n'), HEARTBEAT_MS));
    this.expireAt(this.owner.expiresAt);
  }

  private expireAt(at: number) {
    const delay = at - Date.now();
    if (delay <= 0) return this.end('session.expired');
    const rearm = delay > MAX_TIMER_MS;
    const timer = setTimeout(
      () => (rearm ? this.expireAt(at) : this.end('session.expired')),
      Math.min(delay, MAX_TIMER_MS),
    );
    this.timers.push(timer);
  }

  /** Runs `cleanup` when the stream ends, or at once if it has (e.g. expired as it opened). */
  whenEnded(cleanup: () => void) {
    if (this.ended) cleanup();
    else this.onEnd.push(cleanup);
  }

  send(event: LiveEvent) {
    if (this.ended) return;
    if (this.holds > 0) this.queue.push(event);
    else this.write(event);
  }

  hold() {
    this.holds += 1;
  }

  /** `before`: events older than the queued ones (a replay), sent first. */
  release(before: LiveEvent[] = []) {
    this.holds -= 1;
    if (this.ended) return;
    this.queue = [...before, ...this.queue];
    if (this.holds > 0) return;
    const queued = this.queue;
    this.queue = [];
    for (const event of queued) this.write(event);
  }

  end(reason?: StreamEndReason) {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    for (const timer of this.timers) clearTimeout(timer);
    for (const cleanup of this.onEnd) cleanup();
    // No id: the client's Last-Event-ID stays at the last real event.
    if (reason && !this.raw.writableEnded) this.raw.write(`event: ${reason}\ndata: {}\n\n`);
    this.raw.end();
  }

  private write(event: LiveEvent) {
    // Replay and live delivery may overlap; ids are ordered, so send each once.
    if (event.id <= this.lastSent) return;
    this.lastSent = event.id;
    this.raw.write(frame(event));
  }
}
