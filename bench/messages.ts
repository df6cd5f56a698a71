// Messaging at scale (issue #7): 10,000 users and 1,000,000 messages. Send throughput against a
// bare insert (same run), GET /conversations p99, and SSE with 1,000 clients on one instance:
// delivery latency from send to event and RSS per connection.
// Run: pnpm --filter @atrium/bench messages   (USERS=10000 MESSAGES=1000000 CLIENTS=1000)
import { hashPassword } from '@atrium/auth';
import { createTestDatabase } from '@atrium/db/testing';
import postgres from 'postgres';
import { rssMiB, stop } from './lib/process.js';
import { machine, writeSection } from './lib/report.js';
import { API_MAIN, load, startServer } from './lib/server.js';

const USERS = Number(process.env.USERS ?? 10_000);
const MESSAGES = Number(process.env.MESSAGES ?? 1_000_000);
const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const DURATION = Number(process.env.DURATION ?? 10);
const PASSWORD = 'plum-orbit-cactus-lantern-93';
const BASELINE = new URL('./messages-baseline-server.mjs', import.meta.url).pathname;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

const test = await createTestDatabase();
const sql = postgres(test.url, { max: 2, onnotice: () => {} });

/** Five conversations per user with its next five neighbours, messages spread evenly. */
async function seed() {
  const hash = await hashPassword(PASSWORD);
  await sql`insert into users (id, email, password_hash)
    select gen_random_uuid(), 'user' || n || '@example.com', case when n < 2 then ${hash} end
    from generate_series(0, ${USERS - 1}) n`;
  await sql`create temp table numbered as
    select id, substring(email from 'user([0-9]+)@')::int as n from users`;
  await sql`insert into conversations (id, user_a, user_b)
    select gen_random_uuid(), least(a.id, b.id), greatest(a.id, b.id)
    from numbered a cross join generate_series(1, 5) d
    join numbered b on b.n = (a.n + d) % ${USERS}`;
  const perConversation = Math.ceil(MESSAGES / (USERS * 5));
  await sql`insert into messages (id, conversation_id, sender_id, recipient_id, content, read_at)
    select gen_random_uuid(), c.id, case when k % 2 = 0 then c.user_a else c.user_b end,
      case when k % 2 = 0 then c.user_b else c.user_a end, 'message ' || k,
      case when k < ${perConversation - 2} then now() end
    from conversations c cross join generate_series(1, ${perConversation}) k`;
  await sql`insert into conversation_participants
      (conversation_id, user_id, other_user_id, unread_count, last_message_id)
    select c.id, side.me, side.other,
      (select count(*) from messages m where m.conversation_id = c.id and m.recipient_id = side.me and m.read_at is null),
      (select max(m.id::text)::uuid from messages m where m.conversation_id = c.id)
    from conversations c cross join lateral (values (c.user_a, c.user_b), (c.user_b, c.user_a)) side(me, other)`;
  await sql`update conversations c set last_message_id = p.last_message_id
    from conversation_participants p where p.conversation_id = c.id`;
  await sql`analyze`;
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from messages`;
  console.log(`seeded ${USERS} users, ${row!.count} messages`);
}

async function login(url: string, email: string) {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: email, password: PASSWORD }),
  });
  const body = (await response.json()) as { accessToken: string; user: { id: string } };
  return { id: body.user.id, headers: { authorization: `Bearer ${body.accessToken}` } };
}

/** Opens `count` SSE streams for one user; `arrived(id)` resolves when every stream has `id`. */
async function openStreams(url: string, headers: Record<string, string>, count: number) {
  const seen = new Map<string, number[]>();
  const streams = await Promise.all(
    Array.from({ length: count }, async () => {
      const abort = new AbortController();
      const response = await fetch(`${url}/api/v1/events`, { headers, signal: abort.signal });
      void (async () => {
        let buffer = '';
        for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
          buffer += chunk;
          for (const match of buffer.matchAll(/"content":"probe (\w+)"/g)) {
            seen.set(match[1]!, [...(seen.get(match[1]!) ?? []), performance.now()]);
          }
          buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 1);
        }
      })().catch(() => {});
      return abort;
    }),
  );
  return { streams, seen };
}

await seed();
const env = {
  DATABASE_URL: test.url,
  LOG_LEVEL: 'warn',
  RATE_LIMIT_MAX: '0',
  AUTH_RATE_LIMITS: 'off',
  MESSAGE_RATE_LIMIT_MAX: '100000',
};
const api = await startServer(API_MAIN, env);
const baseline = await startServer(BASELINE, { DATABASE_URL: test.url });
try {
  const [alice, bob] = [
    await login(api.url, 'user0@example.com'),
    await login(api.url, 'user1@example.com'),
  ];
  const [conversation] = await sql<{ id: string }[]>`select id from conversations
    where user_a = least(${alice.id}::uuid, ${bob.id}::uuid) and user_b = greatest(${alice.id}::uuid, ${bob.id}::uuid)`;
  const json = { 'content-type': 'application/json' };

  // 1. SSE first, while the server's heap is small, so RSS growth is the streams': CLIENTS
  // streams of one user, and each probe's latency to every stream.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rssBefore = rssMiB(api.child.pid!);
  const { streams, seen } = await openStreams(api.url, bob.headers, CLIENTS);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const perConnection = ((rssMiB(api.child.pid!) - rssBefore) * 1024) / CLIENTS;
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await fetch(`${api.url}/api/v1/messages`, {
      method: 'POST',
      headers: { ...alice.headers, ...json },
      body: JSON.stringify({ recipientId: bob.id, content: `probe p${i}` }),
    });
    while ((seen.get(`p${i}`)?.length ?? 0) < CLIENTS) await new Promise((r) => setTimeout(r, 5));
    latencies.push(...seen.get(`p${i}`)!.map((at) => at - started));
  }
  // A locked body cannot be cancelled; aborting closes the connection.
  for (const stream of streams) stream.abort();
  await new Promise((resolve) => setTimeout(resolve, 2000));

  // 2. Send throughput against a bare insert of the same row.
  const bare = await load({
    url: `${baseline.url}/messages`,
    method: 'POST',
    headers: json,
    body: JSON.stringify({
      conversationId: conversation!.id,
      senderId: alice.id,
      recipientId: bob.id,
      content: 'hello',
    }),
    connections: 32,
    duration: DURATION,
  });
  const send = await load({
    url: `${api.url}/api/v1/messages`,
    method: 'POST',
    headers: { ...alice.headers, ...json },
    body: JSON.stringify({ recipientId: bob.id, content: 'hello' }),
    connections: 32,
    duration: DURATION,
  });
  if (send.non2xx || send.errors) throw new Error(`send failed: ${JSON.stringify(send)}`);

  // 3. GET /conversations under load.
  const list = await load({
    url: `${api.url}/api/v1/conversations`,
    headers: alice.headers,
    connections: 64,
    duration: DURATION,
  });
  if (list.non2xx || list.errors) throw new Error(`list failed: ${JSON.stringify(list)}`);

  writeSection(
    'messages',
    `## Messaging at scale (issue #7)

\`pnpm --filter @atrium/bench messages\` — ${USERS.toLocaleString('en')} users, ${MESSAGES.toLocaleString('en')} messages
in ${(USERS * 5).toLocaleString('en')} conversations (PostgreSQL, generate_series), RATE_LIMIT_MAX=0, ${DURATION} s per load. ${machine()}.

| what | req/s | p99 |
| --- | --- | --- |
| bare Fastify + one postgres.js insert (ceiling), 32 connections | ${bare.rps.toFixed(0)} | ${bare.p99} ms |
| \`POST /api/v1/messages\`, 32 connections | ${send.rps.toFixed(0)} | ${send.p99} ms |
| **send ratio** | **${(send.rps / bare.rps).toFixed(2)}** | |
| \`GET /api/v1/conversations\` (limit 20), 64 connections | ${list.rps.toFixed(0)} | ${list.p99} ms |

A send is one transaction (recipient check, conversation lookup, insert, last message, both
participants' counters) plus a publish; the ceiling is the insert alone. All 32 connections send
into the same conversation, so its rows serialize every send: the worst case, not the typical one.

**SSE**, ${CLIENTS} streams on one instance (in-process bus), 20 sequential sends, latency from
the send request to the event on every stream: p50 ${percentile(latencies, 0.5).toFixed(1)} ms,
p99 ${percentile(latencies, 0.99).toFixed(1)} ms (goal < 100 ms); RSS ${perConnection.toFixed(1)} KiB per connection.
The client streams are read by the benchmark process itself, so the figures include its parsing.`,
  );
} finally {
  await stop(api.child);
  await stop(baseline.child);
  await sql.end();
  await test.drop();
}
