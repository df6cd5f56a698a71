import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkServices, describeUrl, failureReason, wantsPrettyLogs } from '../src/index.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../src/testing.js';

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('describeUrl: a connection target a start-up message may print', () => {
  it('masks the password, drops the query and fills in the default port', () => {
    expect(describeUrl('postgres://atrium:hunter2@db.internal/atrium?sslpassword=x', 5432)).toBe(
      'postgres://atrium:***@db.internal:5432/atrium',
    );
    expect(describeUrl('redis://:hunter2@cache:6380/2', 6379)).toBe('redis://:***@cache:6380/2');
    expect(describeUrl('rediss://default@cache', 6379)).toBe('rediss://default@cache:6379');
  });

  it('never echoes a URL it cannot parse (it may be all password)', () => {
    expect(describeUrl('hunter2', 5432)).toBe('(an unparseable URL)');
  });
});

describe('failureReason', () => {
  it("gives a socket error's code, and a server's refusal with its message", () => {
    expect(
      failureReason(
        Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe('ECONNREFUSED');
    expect(
      failureReason(
        new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''),
      ),
    ).toBe('ECONNREFUSED');
    expect(
      failureReason(
        Object.assign(new Error('password authentication failed for user "a"'), { code: '28P01' }),
      ),
    ).toBe('28P01 password authentication failed for user "a"');
    expect(
      failureReason(new Error('WRONGPASS invalid username-password pair or user is disabled.')),
    ).toBe('WRONGPASS invalid username-password pair or user is disabled.');
    expect(failureReason('nothing useful')).toBe('no answer');
  });
});

describe('checkServices: the database and Redis answer before a process starts', () => {
  it('finds nothing to say when both answer, or neither is configured', async () => {
    expect(
      await checkServices({ databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL }),
    ).toEqual([]);
    expect(await checkServices({ databaseUrl: undefined, redisUrl: undefined })).toEqual([]);
  });

  it('names each variable and its target, without the password, when they do not', async () => {
    const port = await closedPort();
    const lines = await checkServices({
      databaseUrl: `postgres://atrium:hunter2@127.0.0.1:${port}/atrium`,
      redisUrl: `redis://:hunter2@127.0.0.1:${port}`,
    });
    expect(lines).toEqual([
      `DATABASE_URL: cannot connect to postgres://atrium:***@127.0.0.1:${port}/atrium (ECONNREFUSED)`,
      `REDIS_URL: cannot connect to redis://:***@127.0.0.1:${port} (ECONNREFUSED)`,
    ]);
  });

  it("reports the server's reason when it answers but refuses (no such database)", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/atrium_no_such_database';
    const [line] = await checkServices({ databaseUrl: url.href, redisUrl: TEST_REDIS_URL });
    expect(line).toMatch(
      /^DATABASE_URL: cannot connect to postgres:\/\/.*\/atrium_no_such_database \(3D000 database "atrium_no_such_database" does not exist\)$/,
    );
  });

  it('reports a host name that does not resolve', async () => {
    const lines = await checkServices({
      databaseUrl: undefined,
      redisUrl: 'redis://cache.invalid:6379',
    });
    expect(lines).toEqual(['REDIS_URL: cannot connect to redis://cache.invalid:6379 (ENOTFOUND)']);
  });
});

describe('wantsPrettyLogs', () => {
  it('is readable lines in development on a terminal only, JSON everywhere else', () => {
    expect(wantsPrettyLogs({ env: 'development' }, { isTTY: true })).toBe(true);
    expect(wantsPrettyLogs({ env: 'development' }, { isTTY: false })).toBe(false);
    expect(wantsPrettyLogs({ env: 'development' }, {})).toBe(false);
    expect(wantsPrettyLogs({ env: 'production' }, { isTTY: true })).toBe(false);
    expect(wantsPrettyLogs({ env: 'test' }, { isTTY: true })).toBe(false);
  });
});
