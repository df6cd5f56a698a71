import {
  SHIPPED_CLAMD,
  type SmtpSink,
  startClamd,
  startSmtpSink,
} from '@atrium/integrations/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStack } from './stack.js';

/**
 * What the README tells a visitor to do, over a real socket: request an upload, PUT the file to
 * the signed URL, complete it, watch the status move stage by stage, read the analysis; the
 * worker emails the uploader. On the embedded default (no scanner: the scan stage says skipped)
 * and on PostgreSQL + Redis + a real clamd (EICAR rejected with its signature, bytes gone).
 */
const SETUPS = [
  ['the embedded default (no scanner)', { server: false }],
  ['PostgreSQL + Redis + clamd', { server: true }],
] as const;

// The EICAR test file, assembled here so no file in the repository is one scanners flag.
const EICAR = [
  'X5O!P%@AP[4\\PZX54(P^)7CC)7}$',
  'EICAR-STANDARD-ANTIVIRUS',
  '-TEST-FILE!$H+H*',
].join('');
const CSV =
  'name,amount,paid,joined\nada,12,true,2026-01-02\ngrace,7.5,false,2026-02-03\nalan,,true,\n';

describe.each(SETUPS)('an upload end to end on %s', (_name, setup) => {
  let sink: SmtpSink;
  let clamd: Awaited<ReturnType<typeof startClamd>> | undefined;
  let stack: Awaited<ReturnType<typeof startStack>> & { url: string };

  beforeAll(async () => {
    sink = await startSmtpSink();
    if (setup.server) clamd = await startClamd(SHIPPED_CLAMD);
    const started = await startStack({
      server: setup.server,
      listen: (port) => ({ PUBLIC_API_URL: `http://127.0.0.1:${port}` }),
      env: {
        SMTP_URL: sink.url,
        ...(clamd ? { CLAMAV_HOST: clamd.host, CLAMAV_PORT: String(clamd.port) } : {}),
      },
    });
    stack = { ...started, url: `http://127.0.0.1:${started.port}/api/v1` };
  });
  afterAll(async () => {
    await stack?.close();
    await clamd?.stop();
    await sink?.close();
  });

  const json = (method: string, path: string, body?: object, token?: string) =>
    fetch(`${stack.url}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { 'x-upload-token': token } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  /** Request, PUT, complete; then the status until it settles, with every status seen on the way. */
  async function upload(filename: string, contentType: string, bytes: string, email: string) {
    const requested = await json('POST', '/upload/request', {
      filename,
      contentType,
      size: Buffer.byteLength(bytes),
      name: 'Ada Lovelace',
      email,
    });
    expect(requested.status).toBe(201);
    const target = (await requested.json()) as {
      uploadId: string;
      uploadUrl: string;
      method: string;
      headers: Record<string, string>;
      accessToken: string;
    };
    expect(target.method).toBe('PUT');
    const put = await fetch(target.uploadUrl, {
      method: 'PUT',
      headers: target.headers,
      body: bytes,
    });
    expect(put.status).toBeLessThan(300);
    const completed = await json(
      'POST',
      '/upload/complete',
      { uploadId: target.uploadId },
      target.accessToken,
    );
    expect(completed.status).toBe(202);
    const seen = new Set<string>();
    type Status = { status: string; stages: { name: string; status: string }[]; detail?: string };
    let status: Status | undefined;
    await vi.waitFor(
      async () => {
        const response = await json(
          'GET',
          `/upload/status/${target.uploadId}`,
          undefined,
          target.accessToken,
        );
        const current = (await response.json()) as Status;
        status = current;
        seen.add(current.status);
        expect(['analysed', 'rejected', 'failed']).toContain(current.status);
      },
      { timeout: 30_000, interval: 25 },
    );
    if (!status) throw new Error('no status read');
    return { ...target, status, seen };
  }

  it('analyses a clean CSV, shows each stage, and emails the uploader once', async () => {
    const email = `csv-${setup.server ? 'pg' : 'embedded'}@example.com`;
    const done = await upload('people.csv', 'text/csv', CSV, email);
    expect(done.status.status).toBe('analysed');
    const stages = Object.fromEntries(done.status.stages.map((s) => [s.name, s.status]));
    expect(stages).toMatchObject({
      upload: 'done',
      scan: setup.server ? 'done' : 'skipped',
      analysis: 'done',
    });
    const result = await json(
      'GET',
      `/upload/result/${done.uploadId}`,
      undefined,
      done.accessToken,
    );
    expect(result.status).toBe(200);
    const analysis = (await result.json()) as { kind: string; result: { rowCount: number } };
    expect(analysis.kind).toBe('csv');
    expect(JSON.stringify(analysis)).toContain('"amount"');
    await vi.waitFor(
      () =>
        expect(sink.received.filter((m) => (m.to as { text: string }).text === email)).toHaveLength(
          1,
        ),
      { timeout: 20_000, interval: 50 },
    );
    // Another upload's token reads nothing of this one.
    const other = await upload('other.csv', 'text/csv', CSV, `other-${email}`);
    const stranger = await json(
      'GET',
      `/upload/result/${done.uploadId}`,
      undefined,
      other.accessToken,
    );
    expect(stranger.status).toBe(404);
  });

  it('refuses EICAR with its signature name, or never calls it clean without a scanner', async () => {
    const done = await upload(
      'invoice.csv',
      'text/csv',
      EICAR,
      `eicar-${setup.server}@example.com`,
    );
    const stages = Object.fromEntries(done.status.stages.map((s) => [s.name, s.status]));
    if (setup.server) {
      expect(done.status.status).toBe('rejected');
      expect(done.status.detail).toMatch(/Eicar/i);
      const result = await json(
        'GET',
        `/upload/result/${done.uploadId}`,
        undefined,
        done.accessToken,
      );
      expect(result.status).toBe(404);
    } else {
      expect(stages.scan).toBe('skipped');
      expect(done.seen.has('clean')).toBe(false);
    }
  });
});
