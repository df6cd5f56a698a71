import { connect as netConnect, type Socket } from 'node:net';
import { ScanFailed, type Scanner, ScannerUnavailable, type ScanResult } from './types.js';

// Hand-written, on purpose: clamdjs (last release 2018) speaks TCP only, has no UNIX socket
// and no typed answers; clamscan's socket mode needs its binary-oriented set-up. The INSTREAM
// protocol is small and documented in clamd(8): `zINSTREAM\0`, then chunks each prefixed with
// a 4-byte big-endian length, then a zero length; one `\0`-terminated reply.

export interface ClamdOptions {
  /** TCP (`host` + `port`) or a UNIX socket path (`socket`). */
  host?: string;
  port?: number;
  socket?: string;
  /** Give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
  /** Give up when clamd is silent this long mid-conversation (default 60 s: large files). */
  readTimeoutMs?: number;
  /** Largest chunk sent at once (default 64 KiB). */
  chunkBytes?: number;
  /**
   * clamd's StreamMaxLength, in bytes. A longer body then fails here with
   * `ScanFailed('size_limit')`. Without it clamd answers "size limit exceeded" and hangs up
   * while we are still writing; the answer is lost when our next write meets the closed socket,
   * and the scan fails as `ScannerUnavailable` instead. Either way it is never clean.
   */
  maxStreamBytes?: number;
}

export function clamdScanner(options: ClamdOptions): Scanner {
  const where = options.socket ?? `${options.host ?? '127.0.0.1'}:${options.port ?? 3310}`;
  const chunkBytes = options.chunkBytes ?? 64 * 1024;

  async function open(): Promise<Conversation> {
    const socket = await connect(options, where, options.connectTimeoutMs ?? 5_000);
    return converse(socket, where, options.readTimeoutMs ?? 60_000);
  }

  return {
    name: `clamd ${where}`,

    async ping() {
      const conversation = await open();
      conversation.socket.write('zPING\0');
      const reply = await conversation.reply;
      if (reply !== 'PONG')
        throw new ScannerUnavailable(`clamd at ${where} answered PING with "${reply}"`);
    },

    async scan(body) {
      const { socket, reply, answered } = await open();
      let sent = 0;
      try {
        await send(socket, Buffer.from('zINSTREAM\0'));
        for await (const chunk of body as AsyncIterable<Buffer>) {
          sent += chunk.length;
          if (options.maxStreamBytes !== undefined && sent > options.maxStreamBytes) {
            throw new ScanFailed(
              'size_limit',
              `stream longer than ${options.maxStreamBytes} bytes`,
            );
          }
          for (let offset = 0; offset < chunk.length && !answered(); offset += chunkBytes) {
            const piece = chunk.subarray(offset, offset + chunkBytes);
            const length = Buffer.alloc(4);
            length.writeUInt32BE(piece.length);
            await send(socket, length, piece);
            // Let the event loop read between writes: clamd answers early and hangs up on an
            // oversized stream, and a write that meets the closed socket (EPIPE) would destroy
            // it with the answer still unread.
            await new Promise(setImmediate);
          }
          // clamd answers early (size limit) and hangs up: stop reading the body then.
          if (answered()) break;
        }
        if (!answered()) await send(socket, Buffer.alloc(4));
      } catch (error) {
        // A failing body (a read error on the stored file) is the caller's error, not clamd's.
        socket.destroy();
        throw error;
      }
      return parseScanReply(await reply);
    },
  };
}

/** `stream: OK`, `stream: <Signature> FOUND`, or `<message> ERROR`. */
export function parseScanReply(reply: string): ScanResult {
  if (reply === 'stream: OK') return { clean: true };
  const found = /^stream: (.+) FOUND$/.exec(reply);
  if (found) return { clean: false, signature: found[1]! };
  if (/size limit exceeded/i.test(reply)) throw new ScanFailed('size_limit', reply);
  throw new ScanFailed('scanner_error', reply);
}

function connect(options: ClamdOptions, where: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = options.socket
      ? netConnect({ path: options.socket })
      : netConnect({ host: options.host ?? '127.0.0.1', port: options.port ?? 3310 });
    const fail = (message: string, cause?: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ScannerUnavailable(message, { cause }));
    };
    const timer = setTimeout(
      () => fail(`clamd at ${where} did not accept within ${timeoutMs} ms`),
      timeoutMs,
    );
    socket.once('error', (error) =>
      fail(`cannot reach clamd at ${where}: ${error.message}`, error),
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

interface Conversation {
  socket: Socket;
  /** The reply up to its `\0`; rejects with `ScannerUnavailable` when clamd goes away first. */
  reply: Promise<string>;
  answered(): boolean;
}

function converse(socket: Socket, where: string, readTimeoutMs: number): Conversation {
  let done = false;
  const reply = new Promise<string>((resolve, reject) => {
    const received: Buffer[] = [];
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      const text = Buffer.concat(received)
        .toString('utf8')
        .replace(/\0[\s\S]*$/, '')
        .trim();
      socket.destroy();
      if (error) reject(error);
      else resolve(text);
    };
    socket.setTimeout(readTimeoutMs, () =>
      finish(new ScannerUnavailable(`clamd at ${where} was silent for ${readTimeoutMs} ms`)),
    );
    socket.on('data', (data: Buffer) => {
      received.push(data);
      if (data.includes(0)) finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after clamd has said its piece (it hangs up on an oversized stream) is normal.
      if (received.length > 0) return finish();
      const hungUp = error.code === 'EPIPE' || error.code === 'ECONNRESET';
      const hint = hungUp ? ' (it hung up mid-stream: longer than its StreamMaxLength?)' : '';
      finish(
        new ScannerUnavailable(`clamd at ${where} failed: ${error.message}${hint}`, {
          cause: error,
        }),
      );
    });
    socket.on('close', () =>
      received.length > 0
        ? finish()
        : finish(new ScannerUnavailable(`clamd at ${where} closed the connection without a reply`)),
    );
  });
  // Read later; until then a rejection must not count as unhandled.
  reply.catch(() => {});
  return { socket, reply, answered: () => done };
}

/**
 * Writes the buffers in one go (corked: one writev, not a syscall per 4-byte header), with
 * back-pressure; returns at once when the socket is gone (the reply then says why).
 */
function send(socket: Socket, ...buffers: Buffer[]): Promise<void> | undefined {
  if (socket.destroyed) return undefined;
  socket.cork();
  let flowing = true;
  for (const buffer of buffers) flowing = socket.write(buffer);
  socket.uncork();
  if (flowing) return undefined;
  return new Promise((resolve) => {
    const settle = () => {
      socket.off('drain', settle);
      socket.off('close', settle);
      resolve();
    };
    socket.on('drain', settle);
    socket.on('close', settle);
  });
}
