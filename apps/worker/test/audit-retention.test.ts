import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditSigningKey } from '@atrium/config';
import { auditEvents } from '@atrium/db';
import { asc } from '@atrium/db/orm';
import { recordAudit, verifyAudit } from '@atrium/db/queries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAINTENANCE_SCHEDULE, maintenance } from '../src/processors/maintenance.js';
import { context, testDatabase, testUploadDeps, unique, workerConfig } from './support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.dispose());

const DAY = 86_400_000;
const key = randomBytes(32);
const run = (audit?: { retentionDays: number; key: Buffer; now?: () => Date }) =>
  maintenance({ db: database.db, uploads: testUploadDeps(), audit })(
    { task: 'prune-audit' },
    context('maintenance', unique()),
  );
const append = () => recordAudit(database.db, { action: 'org.created', targetType: 'org' });
const seqs = async () =>
  await database.db
    .select({ seq: auditEvents.seq, action: auditEvents.action })
    .from(auditEvents)
    .orderBy(asc(auditEvents.seq));

describe('maintenance: prune-audit', () => {
  it('runs daily', () => {
    expect(MAINTENANCE_SCHEDULE.find((job) => job.name === 'prune-audit')?.everyMs).toBe(DAY);
  });

  it('keeps everything with AUDIT_RETENTION_DAYS=0, the default', async () => {
    for (let n = 0; n < 3; n += 1) await append();
    const config = workerConfig();
    expect(config.audit.retentionDays).toBe(0);
    await run({
      retentionDays: config.audit.retentionDays,
      key,
      now: () => new Date(Date.now() + 1000 * DAY),
    });
    expect(await seqs()).toHaveLength(3);
  });

  it('removes rows past the retention behind a checkpoint the configured key verifies', async () => {
    const config = workerConfig({
      AUDIT_RETENTION_DAYS: '7',
      AUDIT_SIGNING_SECRET: 'a'.repeat(40),
    });
    const signing = auditSigningKey(config);
    await run({
      retentionDays: config.audit.retentionDays,
      key: signing,
      now: () => new Date(Date.now() + 8 * DAY),
    });
    expect(await seqs()).toEqual([{ seq: 4, action: 'audit.checkpoint' }]);
    await append();
    expect(await verifyAudit(database.db, signing)).toMatchObject({ ok: true, checked: 2 });
    expect(await verifyAudit(database.db, key)).toMatchObject({ ok: false, broken: { seq: 4 } });
  });

  it('fails loudly in a worker built without audit retention', async () => {
    await expect(run()).rejects.toThrow('audit retention is not configured');
  });
});

describe('auditSigningKey', () => {
  it('uses AUDIT_SIGNING_SECRET, else derives one from JWT_SECRET, else keeps one under DATA_DIR', () => {
    const secret = 'b'.repeat(40);
    expect(auditSigningKey(workerConfig({ AUDIT_SIGNING_SECRET: secret }))).toEqual(
      Buffer.from(secret),
    );
    const jwt = workerConfig({ JWT_SECRET: 'c'.repeat(40) });
    const derived = auditSigningKey(jwt);
    expect(derived).toHaveLength(32);
    expect(derived.toString()).not.toContain('c'.repeat(40));
    expect(auditSigningKey(workerConfig({ JWT_SECRET: 'c'.repeat(40) }))).toEqual(derived);
    const dataDir = mkdtempSync(join(tmpdir(), 'atrium-audit-key-'));
    try {
      const kept = auditSigningKey(workerConfig({ DATA_DIR: dataDir }));
      expect(kept.length).toBeGreaterThanOrEqual(32);
      expect(auditSigningKey(workerConfig({ DATA_DIR: dataDir }))).toEqual(kept);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
