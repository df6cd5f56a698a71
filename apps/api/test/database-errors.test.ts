import { randomUUID } from 'node:crypto';
import { createLogger } from '@atrium/config';
import { memberships, organizations } from '@atrium/db';
import { sql } from '@atrium/db/orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { testApp, testConfig } from './support.js';

/** A value that stands for an email, a token hash or a password: it must never reach a log line. */
const SECRET = `secret-${randomUUID()}@example.com`;

type Built = Awaited<ReturnType<typeof buildApp>>;

/** Statements that fail in each way, every one with SECRET as a bound value. */
const FAILURES: Record<string, (app: Built) => Promise<unknown>> = {
  unique: async (app) => {
    const row = { name: SECRET, slug: SECRET };
    await app.db.insert(organizations).values(row);
    await app.db.insert(organizations).values(row);
  },
  foreignKey: (app) =>
    app.db
      .insert(memberships)
      .values({ orgId: randomUUID(), userId: randomUUID(), role: SECRET as 'member' }),
  notNull: (app) =>
    app.db.execute(sql`insert into organizations (name, slug) values (null, ${SECRET})`),
  check: (app) => app.db.execute(sql`insert into test_checks (n, label) values (-1, ${SECRET})`),
  exclusion: async (app) => {
    await app.db.execute(sql`insert into test_ranges (r, label) values ('[1,5)', ${SECRET})`);
    await app.db.execute(sql`insert into test_ranges (r, label) values ('[3,8)', ${SECRET})`);
  },
  unexpected: (app) => app.db.execute(sql`select * from no_such_table where label = ${SECRET}`),
};

const EXPECTED: [string, number, string][] = [
  ['unique', 409, 'conflict'],
  ['foreignKey', 409, 'conflict'],
  ['notNull', 400, 'bad_request'],
  ['check', 400, 'bad_request'],
  ['exclusion', 409, 'conflict'],
  ['unexpected', 500, 'internal_error'],
];

/** The app with its log lines captured and a route per failure. */
async function withFailures(build: (logger: ReturnType<typeof createLogger>) => Promise<Built>) {
  const lines: string[] = [];
  const app = await build(
    createLogger({ logLevel: 'info' }, { write: (line) => lines.push(line) }),
  );
  await app.db.execute(sql`create table test_checks (n int check (n > 0), label text)`);
  await app.db.execute(
    sql`create table test_ranges (r int4range, label text, exclude using gist (r with &&))`,
  );
  // A test-only route, kept out of the OpenAPI document.
  app.post<{ Params: { name: string } }>(
    '/test-failures/:name',
    { schema: { hide: true } },
    async (request) => {
      await FAILURES[request.params.name]!(app);
      return 'no failure';
    },
  );
  return { app, lines };
}

describe.each([
  ['PostgreSQL', (logger: ReturnType<typeof createLogger>) => testApp({}, { logger })],
  ['PGlite', (logger: ReturnType<typeof createLogger>) => buildApp(testConfig(), { logger })],
] as const)('database errors on %s', (_, build) => {
  let app: Built;
  let lines: string[];
  beforeAll(async () => {
    ({ app, lines } = await withFailures(build));
  });
  afterAll(async () => {
    const disposable = app as Built & { dispose?: () => Promise<void> };
    await (disposable.dispose ? disposable.dispose() : app.close());
  });

  it.each(EXPECTED)(
    'answers a %s violation with %i %s problem+json',
    async (name, status, code) => {
      const response = await app.inject({ method: 'POST', url: `/test-failures/${name}` });
      expect(response.statusCode, response.body).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status, code });
      expect(response.body).not.toContain(SECRET);
    },
  );

  it('logs what failed, with the statement but none of its values', async () => {
    lines.length = 0;
    for (const [name] of EXPECTED)
      await app.inject({ method: 'POST', url: `/test-failures/${name}` });
    const logged = lines.map((line) => JSON.parse(line)).filter((entry) => entry.err);
    expect(logged.map((entry) => entry.err.code).sort()).toEqual(
      ['23502', '23503', '23505', '23514', '23P01', '42P01'].sort(),
    );
    const unexpected = logged.find((entry) => entry.err.code === '42P01');
    expect(unexpected.err.query).toMatch(/select \* from no_such_table where label = \$1/);
    expect(unexpected.level).toBe(50);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});
