import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interactions, organizations, seedInteractions, selectRows } from '../src/index.js';
import { eq, sql } from '../src/orm.js';
import { DRIVERS, openDriver } from './drivers.js';

describe.each(DRIVERS)('seedInteractions on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openDriver>>;
  beforeAll(async () => {
    database = await openDriver(kind);
  });
  afterAll(() => database.dispose());

  it('inserts valid, searchable rows whose ids sort by creation time', async () => {
    const [org] = await database.db
      .insert(organizations)
      .values({ name: 'Seed', slug: `seed-${kind}` })
      .returning();
    await seedInteractions(database.db, {
      orgId: org!.id,
      createdBy: null,
      count: 2500,
      batch: 1000,
    });
    expect(await database.db.$count(interactions, eq(interactions.orgId, org!.id))).toBe(2500);
    const [check] = await selectRows<{ misordered: number; bad: number; found: number }>(
      database.db,
      sql`select
        (select count(*)::int from (select id, created_at, lag(created_at) over (order by id) as prev from interactions) t where prev > created_at) as misordered,
        (select count(*)::int from interactions where end_at < start_at or type not in ('meeting','call','email','update','training','other')) as bad,
        (select count(*)::int from interactions where search_vector @@ to_tsquery('english', 'budget')) as found`,
    );
    expect(check).toEqual({ misordered: 0, bad: 0, found: expect.any(Number) });
    expect(check!.found).toBeGreaterThan(0);
  });
});
