import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clamdScanner,
  parseScanReply,
  ScanFailed,
  ScannerUnavailable,
} from '../src/scanner/index.js';
import { type ClamdProcess, startClamd } from '../src/testing/index.js';

const CLAMAV = join(import.meta.dirname, 'clamav');
const MiB = 1024 * 1024;

// The EICAR test file, put together here so that no file in the repository is one that other
// scanners flag. Its MD5 is the first line of clamav/atrium.hdb.
const EICAR = Buffer.from(
  ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS', '-TEST-FILE!$H+H*'].join(''),
);
// Harmless bytes that only our own database knows (its second line: MD5 and size of these).
const FIXTURE = Buffer.from(
  'Atrium custom ClamAV signature fixture: harmless bytes that only our own database names.\n'.repeat(
    16,
  ),
);

/** A body that arrives `chunks` MiB at a time and never exists whole. */
function generated(chunks: number) {
  const piece = Buffer.alloc(MiB, 0x2c);
  return Readable.from(
    (function* () {
      for (let i = 0; i < chunks; i++) yield piece;
    })(),
  );
}

function inPieces(bytes: Buffer, size: number) {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    pieces.push(bytes.subarray(offset, offset + size));
  return Readable.from(pieces);
}

let clamd: ClamdProcess;
beforeAll(async () => {
  clamd = await startClamd({
    databaseDirectory: CLAMAV,
    configTemplate: join(CLAMAV, 'clamd.conf.template'),
  });
});
afterAll(() => clamd?.stop());

describe('clamd INSTREAM scanner', () => {
  it('ships signatures that match the test bytes', () => {
    expect(createHash('md5').update(EICAR).digest('hex')).toBe('44d88612fea8a8f36de82e1278abb02f');
    expect([createHash('md5').update(FIXTURE).digest('hex'), FIXTURE.length]).toEqual([
      'b1e3a94b3c48811365b335c2a1a13c5d',
      1424,
    ]);
  });

  it('answers PONG to a ping over TCP and over the UNIX socket', async () => {
    await expect(clamdScanner({ port: clamd.port }).ping()).resolves.toBeUndefined();
    await expect(clamdScanner({ socket: clamd.socket }).ping()).resolves.toBeUndefined();
  });

  it('finds EICAR and names its signature', async () => {
    const scanner = clamdScanner({ host: clamd.host, port: clamd.port });
    const result = await scanner.scan(inPieces(EICAR, 7));
    expect(result).toEqual({
      clean: false,
      signature: expect.stringMatching(/^Eicar-Test-Signature/),
    });
  });

  it('finds the custom signature of our own database, over the UNIX socket', async () => {
    const result = await clamdScanner({ socket: clamd.socket }).scan(inPieces(FIXTURE, 100));
    expect(result).toEqual({
      clean: false,
      signature: expect.stringMatching(/^Atrium-Test-Fixture/),
    });
  });

  it('answers clean for a clean file, and for the fixture changed by one byte', async () => {
    const scanner = clamdScanner({ port: clamd.port });
    expect(await scanner.scan(Readable.from([Buffer.from('name,amount\nada,1\n')]))).toEqual({
      clean: true,
    });
    const altered = Buffer.from(FIXTURE);
    altered[0] = 0x61;
    expect(await scanner.scan(Readable.from([altered]))).toEqual({ clean: true });
  });

  it('scans a 100 MiB stream chunk by chunk without holding it', async () => {
    const before = process.memoryUsage().rss;
    const result = await clamdScanner({ port: clamd.port }).scan(generated(100));
    const growth = process.memoryUsage().rss - before;
    expect(result).toEqual({ clean: true });
    // Loose on purpose: a body held whole would add 100 MiB.
    expect(growth).toBeLessThan(64 * MiB);
  });
});

describe('clamd failures', () => {
  it('never answers clean for a stream past StreamMaxLength, and says size_limit when told the limit', async () => {
    const small = await startClamd({
      databaseDirectory: CLAMAV,
      configTemplate: join(CLAMAV, 'clamd.conf.template'),
      streamMaxLength: '1M',
    });
    try {
      // clamd refuses and hangs up mid-stream; whether its answer is read first is a race.
      const unknowing = await clamdScanner({ port: small.port })
        .scan(generated(8))
        .catch((error: unknown) => error);
      expect(unknowing instanceof ScanFailed || unknowing instanceof ScannerUnavailable).toBe(true);

      const told = await clamdScanner({ port: small.port, maxStreamBytes: MiB })
        .scan(generated(8))
        .catch((error: unknown) => error);
      expect(told).toBeInstanceOf(ScanFailed);
      expect(told).toMatchObject({ code: 'size_limit', permanent: true });
      // clamd still answers after both.
      await expect(clamdScanner({ port: small.port }).ping()).resolves.toBeUndefined();
    } finally {
      await small.stop();
    }
  });

  it('reads clamd answers: OK, FOUND with a signature, size limit and other errors', () => {
    expect(parseScanReply('stream: OK')).toEqual({ clean: true });
    expect(parseScanReply('stream: Win.Test.EICAR_HDB-1 FOUND')).toEqual({
      clean: false,
      signature: 'Win.Test.EICAR_HDB-1',
    });
    expect(() => parseScanReply('INSTREAM size limit exceeded. ERROR')).toThrow(
      expect.objectContaining({ code: 'size_limit', permanent: true }),
    );
    expect(() => parseScanReply("stream: Can't allocate memory ERROR")).toThrow(
      expect.objectContaining({ code: 'scanner_error', permanent: false }),
    );
    expect(() => parseScanReply('UNKNOWN COMMAND')).toThrow(ScanFailed);
  });

  it('gives up on a clamd that accepts but never answers: ScannerUnavailable', async () => {
    // It never reads either, so it would not notice our hang-up: close its side by hand.
    const accepted: Socket[] = [];
    const silent: Server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const scanner = clamdScanner({ port, readTimeoutMs: 300 });
      await expect(scanner.ping()).rejects.toBeInstanceOf(ScannerUnavailable);
      await expect(scanner.scan(Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
        ScannerUnavailable,
      );
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('passes on an error of the body itself, not as the scanner being down', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('disk read failed'));
      },
    });
    await expect(clamdScanner({ port: clamd.port }).scan(broken)).rejects.toThrow(
      'disk read failed',
    );
  });

  // Last: it stops the shared clamd.
  it('answers ScannerUnavailable (retryable) once clamd is stopped', async () => {
    const overTcp = clamdScanner({ port: clamd.port, connectTimeoutMs: 2_000 });
    const overSocket = clamdScanner({ socket: clamd.socket });
    await clamd.stop();
    for (const scanner of [overTcp, overSocket]) {
      const failure = await scanner.scan(Readable.from([EICAR])).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ScannerUnavailable);
      expect(failure).toMatchObject({ permanent: false });
      await expect(scanner.ping()).rejects.toBeInstanceOf(ScannerUnavailable);
    }
  });
});
