import { describe, expect, it } from 'vitest';
import { createLogger, requestLogger } from '../src/index.js';

/** A logger writing JSON lines into an array. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { logLevel: 'info' },
    { write: (line) => lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

describe('requestLogger (the API’s per-request logger)', () => {
  it('binds the request id beside the process’s own bindings, on it and on its children', () => {
    const { logger, lines } = capture();
    const request = requestLogger(logger, { reqId: 'abc-123' }, {});
    request.info('one');
    request.child({ job: 'x' }).warn('two');
    expect(lines[0]).toMatchObject({ service: 'atrium', reqId: 'abc-123', msg: 'one' });
    expect(lines[1]).toMatchObject({ service: 'atrium', reqId: 'abc-123', job: 'x', msg: 'two' });
  });

  it('writes an id with quotes or backslashes as valid JSON', () => {
    const { logger, lines } = capture();
    requestLogger(logger, { reqId: 'a"b\\c' }, undefined).info('quoted');
    expect(lines[0]?.reqId).toBe('a"b\\c');
  });

  it('still redacts secrets in what a request logs', () => {
    const { logger, lines } = capture();
    const request = requestLogger(logger, { reqId: 'r1' }, {});
    request.info({ body: { password: 'hunter2', name: 'Ann' }, token: { token: 'abc' } }, 'login');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('"abc"');
    expect(lines[0]).toMatchObject({ reqId: 'r1', body: { name: 'Ann', password: '[redacted]' } });
  });

  it('honours a route’s own log level through pino’s path', () => {
    const { logger, lines } = capture();
    const quiet = requestLogger(logger, { reqId: 'r2' }, { level: 'warn' });
    quiet.info('hidden');
    quiet.warn('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
    expect(lines[0]).toMatchObject({ reqId: 'r2' });
  });
});
