// Tenancy by construction vs PostgreSQL row-level security (issue #12, item 2), at the database
// layer where the two differ: the tenant scope's read by id is one prepared statement carrying
// the org filter; with RLS the filter is a policy reading a per-transaction setting, so each
// request needs a transaction (`set_config(..., true)` then the select) on a role without
// BYPASSRLS. Same data, same pool, same run, alternating rounds.
// Run: pnpm --filter @atrium/bench tenancy-rls   (ROWS=200000 DURATION=5 ROUNDS=3)
import { TEST_DATABASE_URL } from '@atrium/config/testing';
import { createTestDatabase } from '@atrium/db/testing';
import postgres from 'postgres';
import { median } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';

const ROWS = Number(process.env.ROWS ?? 200_000);
const DURATION = Number(process.env.DURATION ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONCURRENCY = 32;

const test = await createTestDatabase();
const admin = postgres(test.url, { max: 1, onnotice: () => {} });
const role = `atrium_rls_${process.pid}`;
try {
  await admin`insert into users (id, email, password_hash) values (gen_random_uuid(), 'rls@example.com', 'x')`;
  const orgs = await admin<{ id: string }[]>`insert into organizations (id, name, slug)
    select gen_random_uuid(), 'Org ' || n, 'rls-' || n from generate_series(1, 2) n returning id`;
  const [user] = await admin<{ id: string }[]>`select id from users limit 1`;
  await admin`insert into interactions (id, org_id, title, type, lead, start_at, end_at, timezone, created_by)
    select gen_random_uuid(), (${orgs.map((o) => o.id)}::uuid[])[1 + n % 2], 'Visit ' || n, 'call',
      'Lead ' || n, now(), now() + interval '1 hour', 'UTC', ${user!.id}
    from generate_series(1, ${ROWS}) n`;
  await admin`analyze interactions`;
  await admin.unsafe(`create role ${role} login nobypassrls`);
  await admin.unsafe(`grant select on interactions to ${role}`);
  await admin.unsafe('alter table interactions enable row level security');
  await admin.unsafe(`create policy tenant_isolation on interactions to ${role}
    using (org_id = nullif(current_setting('app.org_id', true), '')::uuid)`);

  const orgId = orgs[0]!.id;
  const ids = (
    await admin<{ id: string }[]>`select id from interactions where org_id = ${orgId} limit 1000`
  ).map((r) => r.id);
  const scoped = postgres(test.url, { max: 8, onnotice: () => {} });
  const rls = postgres(test.url.replace('postgres@', `${role}@`), { max: 8, onnotice: () => {} });
  const cols =
    'id, org_id, title, type, lead, start_at, end_at, timezone, notes, version, created_at';

  // Correctness first: RLS must hide the other org's rows, or the comparison means nothing.
  const [foreign] = await admin<
    { id: string }[]
  >`select id from interactions where org_id <> ${orgId} limit 1`;
  const leaked = await rls.begin(async (tx) => {
    await tx`select set_config('app.org_id', ${orgId}, true)`;
    return tx`select id from interactions where id = ${foreign!.id}`;
  });
  if (leaked.length) throw new Error('the RLS policy let another org’s row through');

  const byScope = (id: string) =>
    scoped.unsafe(`select ${cols} from interactions where org_id = $1 and (id = $2)`, [orgId, id], {
      prepare: true,
    });
  const byRls = (id: string) =>
    rls.begin(async (tx) => {
      await tx.unsafe(`select set_config('app.org_id', $1, true)`, [orgId], { prepare: true });
      return tx.unsafe(`select ${cols} from interactions where id = $1`, [id], { prepare: true });
    });

  async function run(read: (id: string) => Promise<unknown>) {
    const until = performance.now() + DURATION * 1000;
    let done = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, worker) => {
        for (let i = worker; performance.now() < until; i += CONCURRENCY) {
          await read(ids[i % ids.length]!);
          done++;
        }
      }),
    );
    return done / DURATION;
  }

  await run(byScope);
  await run(byRls); // warm-up
  const scopeRuns: number[] = [];
  const rlsRuns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    scopeRuns.push(await run(byScope));
    rlsRuns.push(await run(byRls));
  }
  const a = median(scopeRuns);
  const b = median(rlsRuns);
  writeSection(
    'tenancy-rls',
    `## Tenancy: the tenant scope vs row-level security (issue #12)

\`pnpm --filter @atrium/bench tenancy-rls\` — read by id of ${ROWS.toLocaleString('en')} interactions in two orgs,
postgres.js, ${CONCURRENCY} in flight, ${ROUNDS} alternating rounds of ${DURATION} s, medians. The tenant scope is what
Atrium runs (one prepared statement with the org filter); RLS is a policy on \`app.org_id\` read
by a role without BYPASSRLS, which needs a transaction per request to set it. ${machine()}.

| tenancy | reads/s |
|---|---|
| tenant scope: \`where org_id = $1 and (id = $2)\`, prepared | ${a.toFixed(0)} |
| RLS: \`begin; select set_config('app.org_id', $1, true); select … where id = $1; commit\` | ${b.toFixed(0)} |
| **RLS cost** (goal ≤ 5 %) | **${((1 - b / a) * 100).toFixed(0)} %** |

RLS costs the transaction around each read (four round trips for one); the scope is kept.`,
  );
  await scoped.end();
  await rls.end();
} finally {
  await admin.unsafe('alter table interactions disable row level security').catch(() => {});
  await admin.end();
  await test.drop();
  const cleanup = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await cleanup.unsafe(`drop role if exists ${role}`).catch(() => {});
  await cleanup.end();
}
