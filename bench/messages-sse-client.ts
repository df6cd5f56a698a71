// The SSE side of bench/messages.ts, in a process of its own: opens STREAMS streams of one user
// with node:http (as lean as a client gets) and, once every stream has seen a probe, sends the
// parent the wall-clock arrival times (ms since the epoch, sub-millisecond) in one IPC message.
// Reading 1,000 streams through fetch and web streams in the process that also times the sends
// made the client part of the figure; here the parent's clock only starts and reads the result.
import { request } from 'node:http';

const url = process.env.EVENTS_URL!;
const token = process.env.TOKEN!;
const streams = Number(process.env.STREAMS);
const arrivals = new Map<string, number[]>();
const now = () => performance.timeOrigin + performance.now();
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

for (let i = 0; i < streams; i++) {
  const req = request(url, { headers: { authorization: `Bearer ${token}` }, agent: false });
  req.on('response', (res) => {
    res.setEncoding('utf8');
    if (++connected === streams) process.send!({ ready: true });
    let buffer = '';
    res.on('data', (chunk: string) => {
      const at = now();
      buffer += chunk;
      const end = buffer.lastIndexOf('\n\n');
      if (end < 0) return;
      for (const match of buffer.slice(0, end).matchAll(/"content":"probe (\w+)"/g)) {
        arrived(match[1]!, at);
      }
      buffer = buffer.slice(end + 2);
    });
  });
  req.on('error', () => {});
  req.end();
}
