// Form submission (issue #15): POST /contact with validation, the lead upsert, the submission
// row and three outbox jobs (confirmation, sales notification, CRM sync) in one statement, at
// 50 concurrent submitters each sending as a new person; p99 (goal < 50 ms) and throughput as a
// ratio of a bare Fastify + postgres.js insert of the submission row (same run, same bodies).
// Run: pnpm --filter @atrium/bench forms   (DURATION=10 CONNECTIONS=50)
import { createTestDatabase } from '@atrium/db/testing';
import type autocannon from 'autocannon';
import postgres from 'postgres';
import { stop } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';
import { API_MAIN, load, startServer } from './lib/server.js';

const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const BASELINE = new URL('./forms-baseline-server.mjs', import.meta.url).pathname;

const test = await createTestDatabase();
const api = await startServer(API_MAIN, {
  DATABASE_URL: test.url,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '0',
  // Every submitter of a load generator shares one IP.
  FORM_LIMIT_PER_IP: '100000',
  FORM_LIMIT_PER_EMAIL: '100000',
  SALES_INBOX: 'sales@example.com',
});
const baseline = await startServer(BASELINE, { DATABASE_URL: test.url });

let sender = 0;
/** Each request a new person (a new lead), as a site's traffic is. */
const contactForm = (): autocannon.Request => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  setupRequest: (request) => ({
    ...request,
    body: JSON.stringify({
      name: `Visitor ${++sender}`,
      email: `visitor-${process.pid}-${sender}@example.com`,
      company: 'Example Ltd',
      message: 'We would like a quote for 20 000 documents next quarter.',
      consent: true,
    }),
  }),
});

const sql = postgres(test.url, { max: 1, onnotice: () => {} });
try {
  const run = (url: string) =>
    load({ url, connections: CONNECTIONS, duration: DURATION, requests: [contactForm()] });
  const bare = await run(`${baseline.url}/contact`);
  const atrium = await run(`${api.url}/api/v1/contact`);
  const [counts] = await sql<{ submissions: number; jobs: number; leads: number }[]>`select
    (select count(*)::int from form_submissions where body_hash <> 'baseline') as submissions,
    (select count(*)::int from outbox) as jobs,
    (select count(*)::int from leads) as leads`;
  if (atrium.errors || atrium.non2xx) {
    throw new Error(`${atrium.errors} errors and ${atrium.non2xx} non-2xx answers from Atrium`);
  }
  writeSection(
    'forms',
    `## Form submission (issue #15)

\`pnpm --filter @atrium/bench forms\` — \`POST /contact\`, ${CONNECTIONS} concurrent submitters,
${DURATION} s, each request a new person: validation, lead upsert, submission row and three outbox
jobs written by one statement (no worker running: the jobs wait in the outbox). PostgreSQL, RATE_LIMIT_MAX=0,
form limits raised. ${machine()}.

| server | req/s | p99 |
|---|---|---|
| bare Fastify + postgres.js insert of the submission row | ${bare.rps.toFixed(0)} | ${bare.p99} ms |
| Atrium \`POST /contact\` | ${atrium.rps.toFixed(0)} | ${atrium.p99} ms |
| **ratio** | **${(atrium.rps / bare.rps).toFixed(2)}** | goal p99 < 50 ms |

Stored: ${counts!.submissions} submissions, ${counts!.leads} leads, ${counts!.jobs} outbox jobs (3 per submission).`,
  );
} finally {
  await stop(api.child);
  await stop(baseline.child);
  await sql.end();
  await test.drop();
}
