import { sql } from 'drizzle-orm';
import type { Database } from './client.js';

/**
 * Realistic interactions made inside PostgreSQL with generate_series: one INSERT … SELECT per
 * batch, no row-by-row round trips, so a million rows take seconds rather than hours. Ids are
 * UUIDv7 built from each row's creation time, so id order is creation order as in the app.
 */
export async function seedInteractions(
  db: Database,
  options: {
    orgId: string;
    createdBy: string | null;
    count: number;
    batch?: number;
    startedAt?: Date;
  },
): Promise<void> {
  const batch = options.batch ?? 100_000;
  const start = (options.startedAt ?? new Date('2024-01-01T00:00:00Z')).getTime();
  for (let offset = 0; offset < options.count; offset += batch) {
    const size = Math.min(batch, options.count - offset);
    await db.execute(sql`
      with words as (
        select
          array['Quarterly review', 'Onboarding', 'Renewal', 'Pricing', 'Roadmap', 'Kick-off', 'Escalation', 'Demo', 'Workshop', 'Check-in', 'Contract', 'Security audit', 'Training', 'Support follow-up', 'Partnership'] as topics,
          array['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Wonka', 'Tyrell', 'Cyberdyne', 'Soylent', 'Aperture', 'Vandelay', 'Pied Piper', 'Massive Dynamic'] as companies,
          array['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Barbara', 'Dennis', 'Margaret', 'Ken', 'Radia', 'Tim', 'Frances', 'Donald', 'Edsger', 'Hedy'] as firsts,
          array['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Liskov', 'Ritchie', 'Hamilton', 'Thompson', 'Perlman', 'Berners-Lee', 'Allen', 'Knuth', 'Dijkstra', 'Lamarr'] as lasts,
          array['Paris', 'Berlin', 'Lisbon', 'Remote', 'New York', 'London', 'Madrid', 'Tokyo', 'Nairobi', 'Toronto'] as places,
          array['budget', 'timeline', 'integration', 'invoice', 'migration', 'latency', 'renewal', 'discount', 'compliance', 'headcount', 'outage', 'feedback', 'dashboard', 'export', 'permissions'] as subjects,
          array['meeting', 'call', 'email', 'update', 'training', 'other'] as types
      ),
      rows as (
        select
          n,
          to_timestamp(floor((${start}::bigint + (n::bigint * 60000)) / 1000.0)) as created,
          w.*,
          hashint4(n) as h
        from generate_series(${offset}::int, ${offset + size - 1}::int) as n, words w
      )
      insert into interactions (id, org_id, title, type, lead, start_at, end_at, timezone, location, description, notes, created_by, updated_by, created_at, updated_at, version)
      select
        encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send((extract(epoch from created) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid,
        ${options.orgId}::uuid,
        topics[1 + abs(h) % 15] || ' with ' || companies[1 + abs(h / 15) % 15],
        types[1 + abs(h / 7) % 6],
        firsts[1 + abs(h / 3) % 15] || ' ' || lasts[1 + abs(h / 11) % 15],
        created + interval '3 days',
        created + interval '3 days' + interval '1 hour',
        'Europe/Paris',
        places[1 + abs(h / 13) % 10],
        'Discussed ' || subjects[1 + abs(h / 17) % 15] || ' and ' || subjects[1 + abs(h / 19) % 15] || ' with the ' || companies[1 + abs(h / 23) % 15] || ' team.',
        case when n % 3 = 0 then 'Follow up on the ' || subjects[1 + abs(h / 29) % 15] || ' next week.' end,
        ${options.createdBy}::uuid,
        ${options.createdBy}::uuid,
        created,
        created,
        1
      from rows
    `);
  }
}
