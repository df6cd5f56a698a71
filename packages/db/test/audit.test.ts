import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, selectRows } from '../src/index.js';
import { asc, eq, sql } from '../src/orm.js';
import { GENESIS_HASH, pruneAudit, recordAudit, verifyAudit } from '../src/queries/index.js';
import { DRIVERS, openDriver } from './drivers.js';

const KEY = randomBytes(32);
const DAY = 86_400_000;

describe.each(DRIVERS)('the audit chain on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openDriver>>;
  beforeAll(async () => {
    database = await openDriver(kind);
  });
  afterAll(() => database.dispose());

  const db = () => database.db;
  const append = (n: number, data: Record<string, unknown> = {}) =>
    recordAudit(db(), {
      action: 'admin.role.created',
      targetType: 'role',
      targetId: `r${n}`,
      data,
    });
  const chain = () => db().select().from(auditEvents).orderBy(asc(auditEvents.seq));
  /** Runs `statement` as the superuser with the append-only triggers off, as an attacker with the owner's rights could. */
  const tamper = async (statement: ReturnType<typeof sql>) => {
    await db().execute(sql`alter table audit_events disable trigger audit_events_no_update`);
    try {
      await db().execute(statement);
    } finally {
      await db().execute(sql`alter table audit_events enable trigger audit_events_no_update`);
    }
  };
  const refusal = async (statement: ReturnType<typeof sql>) => {
    const error = await db()
      .execute(statement)
      .then(() => undefined)
      .catch((e: unknown) => e as Error & { cause?: Error });
    return String(error?.cause?.message ?? error?.message);
  };

  it('numbers each row without gaps, chains it to the one before and ignores what the insert says', async () => {
    await append(1);
    await db()
      .insert(auditEvents)
      .values({
        action: 'admin.role.created',
        targetType: 'role',
        seq: 99,
        prevHash: 'f'.repeat(64),
        hash: 'e'.repeat(64),
        at: new Date('2000-01-01T00:00:00Z'),
      });
    await expect(
      db().transaction(async (tx) => {
        await recordAudit(tx, { action: 'admin.role.deleted', targetType: 'role' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await append(3);
    const rows = await chain();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows.map((r) => r.action)).not.toContain('admin.role.deleted');
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]!.prevHash).toBe(rows[0]!.hash);
    expect(rows[2]!.prevHash).toBe(rows[1]!.hash);
    expect(rows[1]!.at.getFullYear()).toBeGreaterThan(2000);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
    expect(await verifyAudit(db(), KEY)).toEqual({
      ok: true,
      checked: 3,
      lastSeq: 3,
      lastHash: rows[2]!.hash,
    });
  });

  it('keeps the numbering gap-free under concurrent appends', async () => {
    const before = (await chain()).length;
    await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        db().transaction((tx) =>
          recordAudit(tx, { action: 'admin.queue.action', targetType: 'queue', data: { n } }),
        ),
      ),
    );
    const rows = await chain();
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.length).toBe(before + 8);
    expect((await verifyAudit(db(), KEY)).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even to the owner', async () => {
    const [row] = await chain();
    expect(
      await refusal(sql`update audit_events set data = '{"x":1}' where id = ${row!.id}`),
    ).toMatch(/append-only: UPDATE refused/);
    expect(await refusal(sql`delete from audit_events where id = ${row!.id}`)).toMatch(
      /append-only: DELETE refused/,
    );
    expect(await refusal(sql`truncate audit_events`)).toMatch(/append-only: TRUNCATE refused/);
    const [still] = await db().select().from(auditEvents).where(eq(auditEvents.id, row!.id));
    expect(still).toEqual(row);
  });

  it('verify names a row changed behind the triggers, and a row removed from the middle', async () => {
    const rows = await chain();
    const victim = rows[1]!;
    await tamper(sql`update audit_events set data = '{"tampered":true}' where id = ${victim.id}`);
    const changed = await verifyAudit(db(), KEY);
    expect(changed).toMatchObject({ ok: false, checked: 1, broken: { id: victim.id, seq: 2 } });
    if (!changed.ok) expect(changed.broken.reason).toMatch(/changed/);
    // Restoring the data restores the hash: the canonical form is exactly the stored columns.
    await tamper(
      sql`update audit_events set data = ${JSON.stringify(victim.data)}::jsonb where id = ${victim.id}`,
    );
    expect((await verifyAudit(db(), KEY)).ok).toBe(true);

    // Rewriting a row and its hash still breaks the next link.
    await tamper(sql`update audit_events set data = '{"forged":1}' where id = ${victim.id}`);
    await tamper(
      sql`update audit_events e set hash = audit_event_hash(e.prev_hash, e) where id = ${victim.id}`,
    );
    const rehashed = await verifyAudit(db(), KEY);
    expect(rehashed).toMatchObject({ ok: false, broken: { id: rows[2]!.id, seq: 3 } });

    await tamper(sql`delete from audit_events where id = ${rows[3]!.id}`);
    await tamper(
      sql`update audit_events set data = ${JSON.stringify(victim.data)}::jsonb, hash = ${victim.hash} where id = ${victim.id}`,
    );
    const gap = await verifyAudit(db(), KEY);
    expect(gap).toMatchObject({ ok: false, broken: { id: rows[4]!.id, seq: 5 } });
    if (!gap.ok) expect(gap.broken.reason).toBe('rows 4 to 4 are missing');
  });
});

describe.each(DRIVERS)('audit retention on %s', (kind) => {
  let database: Awaited<ReturnType<typeof openDriver>>;
  beforeAll(async () => {
    database = await openDriver(kind);
  });
  afterAll(() => database.dispose());
  const db = () => database.db;
  const append = () => recordAudit(db(), { action: 'org.created', targetType: 'org' });

  it('keeps everything at 0 days and when nothing is old enough', async () => {
    for (let n = 0; n < 5; n += 1) await append();
    expect(
      await pruneAudit(db(), { retentionDays: 0, key: KEY, now: new Date(Date.now() + 400 * DAY) }),
    ).toBe(0);
    expect(await pruneAudit(db(), { retentionDays: 30, key: KEY })).toBe(0);
    expect(await db().$count(auditEvents)).toBe(5);
  });

  it('removes old rows behind a signed checkpoint, and the rest still verifies', async () => {
    // With the clock 31 days on, every row so far is older than the 30 days kept.
    const removed = await pruneAudit(db(), {
      retentionDays: 30,
      key: KEY,
      now: new Date(Date.now() + 31 * DAY),
    });
    expect(removed).toBe(5);
    const rows = await db().select().from(auditEvents).orderBy(asc(auditEvents.seq));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ seq: 6, action: 'audit.checkpoint', targetType: 'audit' });
    expect(rows[0]!.data).toMatchObject({
      firstKeptSeq: 6,
      anchorHash: rows[0]!.prevHash,
      removed: 5,
    });
    await append();
    await append();
    expect(await verifyAudit(db(), KEY)).toMatchObject({ ok: true, checked: 3, lastSeq: 8 });
    // The chain is anchored by the signature: another key does not accept it.
    expect(await verifyAudit(db(), randomBytes(32))).toMatchObject({
      ok: false,
      broken: { seq: 6 },
    });
    // A second pass keeps the newest rows and checkpoints again.
    expect(
      await pruneAudit(db(), { retentionDays: 30, key: KEY, now: new Date(Date.now() + 31 * DAY) }),
    ).toBe(3);
    expect(await verifyAudit(db(), KEY)).toMatchObject({ ok: true, checked: 1, lastSeq: 9 });
  });

  it('verify reports rows removed by hand with the retention bound but no checkpoint', async () => {
    for (let n = 0; n < 3; n += 1) await append();
    const [first] = await selectRows<{ seq: string }>(
      db(),
      sql`select min(seq) as seq from audit_events`,
    );
    const bound = Number(first!.seq) + 2;
    await db().transaction(async (tx) => {
      await tx.execute(sql`select set_config('atrium.audit_prune_below', ${String(bound)}, true)`);
      await tx.execute(sql`delete from audit_events where seq < ${bound}`);
    });
    const result = await verifyAudit(db(), KEY);
    expect(result).toMatchObject({ ok: false, checked: 0, broken: { seq: bound } });
    if (!result.ok) expect(result.broken.reason).toMatch(/without a valid signed checkpoint/);
  });
});
