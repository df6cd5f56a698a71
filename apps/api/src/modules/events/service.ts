import type { Database } from '@atrium/db';
import type { FastifyInstance } from 'fastify';
import { activeUserIds, liveSessionIds } from './queries.js';
import type { StreamRegistry } from './registry.js';
import type { LiveStream } from './stream.js';

/** A safety net should a change notice be lost (its listening connection dropped). */
const RECHECK_MS = 60_000;

export interface SessionWatch {
  /** Whether a change notice arrived at or after `since` (ms since the epoch). */
  changedSince(since: number): boolean;
  /** Re-checks every open stream soon; calls made meanwhile fold into one more check. */
  recheck(): void;
}

/**
 * Ends the streams whose session ended (logout, logout-all, a password change, a deleted
 * session, a disabled or deleted user). The change notice carries no ids, so each one re-checks
 * every stream of this instance in one query; the notice comes after the commit, on every
 * instance, so the query sees the change. Delivery to the streams waits from the notice until
 * their check is done, so an ended session is sent nothing after the notice.
 */
export function watchSessions(app: FastifyInstance, registry: StreamRegistry): SessionWatch {
  let lastChange = 0;
  let running = false;
  // Held at once, not when their check starts: a check already running must not let events
  // through to streams whose session the newer notice may have ended.
  const waiting = new Set<LiveStream>();
  const run = () => {
    running = true;
    const batch = [...waiting];
    waiting.clear();
    void sweep(app, batch).finally(() => {
      running = false;
      if (waiting.size) run();
    });
  };
  const recheck = () => {
    for (const stream of registry) {
      if (waiting.has(stream)) continue;
      stream.hold();
      waiting.add(stream);
    }
    if (!running && waiting.size) run();
  };
  const onNotice = () => {
    lastChange = Date.now();
    recheck();
  };
  // The bus's notice comes first and in order with the events; PostgreSQL's also covers changes
  // made outside a request. Each costs one query per instance, coalesced.
  app.events.onAuthNotice(onNotice);
  app.onAuthChanged({ changed: onNotice });
  const timer = setInterval(recheck, RECHECK_MS).unref();
  app.addHook('onClose', async () => clearInterval(timer));
  return { changedSince: (since) => lastChange >= since, recheck };
}

/** Ends the streams whose session is over, then releases the holds `recheck` took on all. */
async function sweep(app: FastifyInstance, streams: LiveStream[]) {
  try {
    for (const stream of await endedStreams(app.db, streams)) stream.end('session.ended');
  } catch (err) {
    // Streams stay open: closing all of them during a database outage would only start a storm
    // of reconnects that fail too. The next notice or the periodic check tries again.
    app.log.warn({ err }, 'cannot re-check the sessions of live-event streams');
  } finally {
    for (const stream of streams) stream.release();
  }
}

async function endedStreams(db: Database, streams: LiveStream[]) {
  const sessionIds = new Set<string>();
  const sessionlessUsers = new Set<string>();
  for (const { owner } of streams) {
    if (owner.sessionId) sessionIds.add(owner.sessionId);
    else sessionlessUsers.add(owner.userId);
  }
  const none = new Set<string>();
  const [liveSessions, activeUsers] = await Promise.all([
    sessionIds.size ? liveSessionIds(db, [...sessionIds]) : none,
    sessionlessUsers.size ? activeUserIds(db, [...sessionlessUsers]) : none,
  ]);
  return streams.filter(({ owner }) =>
    owner.sessionId ? !liveSessions.has(owner.sessionId) : !activeUsers.has(owner.userId),
  );
}
