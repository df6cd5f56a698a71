import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leads } from '../src/index.js';
import { eq } from '../src/orm.js';
import { upsertLead } from '../src/queries/index.js';
import { DRIVERS, openDriver } from './drivers.js';

describe.each(DRIVERS)('upsertLead on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openDriver>>;
  beforeAll(async () => {
    database = await openDriver(kind);
  });
  afterAll(() => database.dispose());

  it('keeps one lead per normalized email and never erases a field with an empty one', async () => {
    const first = await upsertLead(database.db, {
      email: '  Ada@Example.COM ',
      name: 'Ada Lovelace',
      company: 'Engines Ltd',
      consent: true,
    });
    expect(first).toMatchObject({
      email: 'ada@example.com',
      consent: true,
      company: 'Engines Ltd',
    });
    expect(first.consentAt).toBeInstanceOf(Date);

    const second = await upsertLead(database.db, {
      email: 'ada@example.com',
      name: '',
      phone: '+44 1',
    });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ name: 'Ada Lovelace', company: 'Engines Ltd', phone: '+44 1' });
    expect(second.consent).toBe(true);
    expect(second.lastSeenAt.getTime()).toBeGreaterThanOrEqual(first.lastSeenAt.getTime());

    const withdrawn = await upsertLead(database.db, { email: 'ADA@example.com', consent: false });
    expect(withdrawn.consent).toBe(false);
    const rows = await database.db.select().from(leads).where(eq(leads.email, 'ada@example.com'));
    expect(rows).toHaveLength(1);
  });
});
