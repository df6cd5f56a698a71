import type { LiveStream } from './stream.js';

export interface StreamLimits {
  maxPerUser: number;
  maxConnections: number;
}

/**
 * The streams open on this instance, with the caps that keep one user (or everyone together)
 * from holding unbounded sockets, timers and listeners. Counts are per instance: nothing to
 * leak in Redis when an instance dies with streams open.
 */
export class StreamRegistry implements Iterable<LiveStream> {
  private readonly streams = new Set<LiveStream>();
  private readonly perUser = new Map<string, number>();

  constructor(private readonly limits: StreamLimits) {}

  /** Adds the stream unless a cap is reached; synchronous, so the check and the add agree. */
  admit(stream: LiveStream): boolean {
    const userId = stream.owner.userId;
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= this.limits.maxPerUser || this.streams.size >= this.limits.maxConnections) {
      return false;
    }
    this.streams.add(stream);
    this.perUser.set(userId, mine + 1);
    stream.whenEnded(() => this.remove(stream));
    return true;
  }

  private remove(stream: LiveStream) {
    if (!this.streams.delete(stream)) return;
    const userId = stream.owner.userId;
    const left = (this.perUser.get(userId) ?? 1) - 1;
    if (left > 0) this.perUser.set(userId, left);
    else this.perUser.delete(userId);
  }

  get size() {
    return this.streams.size;
  }

  [Symbol.iterator]() {
    return this.streams.values();
  }
}
