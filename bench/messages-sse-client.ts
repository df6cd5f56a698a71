// The SSE side of bench/messages.ts, in a process of its own: opens STREAMS streams of one user
// and, once every stream has seen a probe, sends the parent the wall-clock arrival times (ms since
// the epoch, sub-millisecond) in one IPC message. In production each stream is a different
// client machine; here one process reads all of them, so it does as little as it can per chunk:
// a raw socket, the request written by hand, and a byte search for the probe's marker (no HTTP
// parser, no stream decoding). Reading the streams with fetch and web streams, in the process
// that also timed the sends, had made that client's own work most of the measured tail.
import { connect } from 'node:net';

const url = new URL(process.env.EVENTS_URL!);
const token = process.env.TOKEN!;
const streams = Number(process.env.STREAMS);
const MARKER = Buffer.from('"content":"probe ');
const arrivals = new Map<string, number[]>();
let connected = 0;

function arrived(probe: string, at: number) {
  const times = arrivals.get(probe) ?? [];
  times.push(at);
  arrivals.set(probe, times);
  if (times.length === streams) {
    process.send!({ probe, times });
    arrivals.delete(probe);
  }
}

const request = Buffer.from(
  `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
);

for (let i = 0; i < streams; i++) {
  const socket = connect(Number(url.port), url.hostname, () => socket.write(request));
  let answered = false;
  socket.on('data', (chunk: Buffer) => {
    const at = performance.timeOrigin + performance.now();
    if (!answered) {
      answered = true;
      if (!chunk.toString('latin1', 0, 12).startsWith('HTTP/1.1 200')) {
        throw new Error(`stream refused: ${chunk.toString('latin1', 0, 200)}`);
      }
      if (++connected === streams) process.send!({ ready: true });
    }
    // A probe's frame is written in one piece, so its marker and id arrive in one chunk.
    for (let at0 = chunk.indexOf(MARKER); at0 >= 0; at0 = chunk.indexOf(MARKER, at0 + 1)) {
      const start = at0 + MARKER.length;
      arrived(chunk.toString('latin1', start, chunk.indexOf(0x22, start)), at);
    }
  });
  socket.on('error', () => {});
}
