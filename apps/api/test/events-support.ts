import type { Message } from '@atrium/contracts';
import { uuidv7 } from 'uuidv7';
import { buildApp } from '../src/index.js';
import { testApp, testConfig } from './support.js';

/** A message event's data for tests that publish on the bus directly, without a conversation. */
export function messageSaying(content: string): Message {
  const id = uuidv7();
  return {
    id,
    conversationId: id,
    senderId: id,
    recipientId: id,
    parentId: null,
    content,
    readAt: null,
    editedAt: null,
    createdAt: new Date().toISOString(),
  };
}

/** One parsed Server-Sent Event. */
export interface Frame {
  id?: string;
  event?: string;
  data?: unknown;
}

function parse(block: string): Frame | undefined {
  const frame: Frame = {};
  for (const line of block.split('\n')) {
    const [field, ...rest] = line.split(': ');
    const value = rest.join(': ');
    if (field === 'id') frame.id = value;
    if (field === 'event') frame.event = value;
    if (field === 'data') frame.data = JSON.parse(value);
  }
  return frame.event ? frame : undefined;
}

/**
 * An SSE client over a real socket, as a fetch-based EventSource in a browser would connect:
 * bearer header, optional `Last-Event-ID`. `ready` resolves once the server has answered.
 */
export async function openStream(baseUrl: string, token: string, lastEventId?: string) {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/api/v1/events`, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
    signal: abort.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: Frame[] = [];
  let buffer = '';
  let waiters: (() => void)[] = [];
  let ended = false;
  const pump = async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) {
        ended = true;
        for (const wake of waiters) wake();
        return;
      }
      buffer += value;
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        const frame = parse(block);
        if (frame) frames.push(frame);
      }
      for (const wake of waiters) wake();
      waiters = [];
    }
  };
  void pump();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    /** Resolves with the first `count` event frames received. */
    async take(count: number): Promise<Frame[]> {
      while (frames.length < count) {
        if (ended) throw new Error(`the stream ended after ${frames.length} of ${count} events`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return frames.slice(0, count);
    },
    /**
     * Resolves with every event frame once the server has ended the stream; rejects if it is
     * still open after `timeoutMs` (a stream the server should end would otherwise hang the test).
     */
    async ended(timeoutMs = 5000): Promise<Frame[]> {
      const deadline = Date.now() + timeoutMs;
      while (!ended) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`the stream is still open after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, left).unref();
        });
      }
      return [...frames];
    },
    close: () => abort.abort(),
  };
}

/** Two API instances on one database (and, with REDIS_URL, one Redis), on real sockets. */
export async function twoInstances(env: Record<string, string>) {
  const a = await testApp(env);
  const b = await buildApp(testConfig({ ...env, DATABASE_URL: a.config.databaseUrl! }));
  const urlA = await a.listen({ port: 0, host: '127.0.0.1' });
  const urlB = await b.listen({ port: 0, host: '127.0.0.1' });
  return {
    a,
    b,
    urlA,
    urlB,
    async close() {
      await b.close();
      await a.dispose();
    },
  };
}
