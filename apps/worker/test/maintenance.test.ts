import {
  deliveries,
  invitations,
  oneTimeTokens,
  organizations,
  outbox,
  refreshTokens,
  sessions,
  users,
} from '@atrium/db';
import { eq, inArray, sql } from '@atrium/db/orm';
import { openQueues } from '@atrium/jobs/bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorker } from '../src/index.js';
import { MAINTENANCE_SCHEDULE, maintenance } from '../src/processors/maintenance.js';
import { context, log, testDatabase, testUploadDeps, unique, workerConfig } from './support.js';

let database: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.dispose());

/** Deliveries rows: done long ago, done recently, and still pending long ago. */
async function seedDeliveries() {
  const tag = unique();
  const old = sql`now() - interval '31 days'`;
  const keys = {
    oldDone: `${tag}-old-done`,
    newDone: `${tag}-new-done`,
    oldPending: `${tag}-old-pending`,
    oldNotSent: `${tag}-old-not-sent`,
    // Its job is still in the outbox (a lead's timeline shows it): kept however old.
    oldOfKeptJob: `${tag}-old-of-kept-job`,
  };
  await database.db.insert(outbox).values({
    queue: 'email',
    payload: {},
    idempotencyKey: keys.oldOfKeptJob,
    status: 'completed',
  });
  await database.db.insert(deliveries).values([
    { kind: 'email', key: keys.oldDone, status: 'done', leaseUntil: old, doneAt: old },
    {
      kind: 'email',
      key: keys.newDone,
      status: 'done',
      leaseUntil: sql`now()`,
      doneAt: sql`now()`,
    },
    { kind: 'email', key: keys.oldPending, leaseUntil: old, createdAt: old },
    { kind: 'email', key: keys.oldNotSent, status: 'not_sent', leaseUntil: old, doneAt: old },
    { kind: 'email', key: keys.oldOfKeptJob, status: 'done', leaseUntil: old, doneAt: old },
  ]);
  const left = async () =>
    (
      await database.db
        .select({ key: deliveries.key })
        .from(deliveries)
        .where(inArray(deliveries.key, Object.values(keys)))
    )
      .map((r) => r.key)
      .sort();
  return { keys, left };
}

describe('maintenance: prune-deliveries', () => {
  it('removes deliveries finished (sent or not) more than 30 days ago and keeps recent and pending ones, and those of jobs still on record', async () => {
    const { keys, left } = await seedDeliveries();
    await maintenance({ db: database.db, uploads: testUploadDeps() })(
      { task: 'prune-deliveries' },
      context('maintenance', 'k'),
    );
    expect(await left()).toEqual([keys.newDone, keys.oldOfKeptJob, keys.oldPending].sort());
  });
});

describe('scheduled maintenance on BullMQ', () => {
  it('registers one job scheduler per task in the schedule', async () => {
    const config = workerConfig();
    const worker = await startWorker({ config, database, log });
    const readers = openQueues(config.redisUrl!, config.queuePrefix, ['maintenance']);
    try {
      const schedulers = await readers.queues[0]!.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(
        MAINTENANCE_SCHEDULE.map((t) => `maintenance:${t.name}`).sort(),
      );
    } finally {
      await readers.close();
      await worker.close();
    }
  });

  it('runs the repeatable job, which removes expired rows', async () => {
    const { keys, left } = await seedDeliveries();
    const repeating = [
      {
        queue: 'maintenance' as const,
        name: 'prune-deliveries',
        payload: { task: 'prune-deliveries' as const },
        everyMs: 200,
      },
    ];
    const worker = await startWorker({ config: workerConfig(), database, log, repeating });
    try {
      await vi.waitFor(async () => expect(await left()).not.toContain(keys.oldDone), {
        timeout: 10_000,
        interval: 100,
      });
      expect(await left()).toEqual([keys.newDone, keys.oldOfKeptJob, keys.oldPending].sort());
    } finally {
      await worker.close();
    }
  });
});

describe('scheduled maintenance in-process', () => {
  it('runs the task from its timer through the outbox', async () => {
    const { keys, left } = await seedDeliveries();
    const repeating = [
      {
        queue: 'maintenance' as const,
        name: 'prune-deliveries',
        payload: { task: 'prune-deliveries' as const },
        everyMs: 200,
      },
    ];
    const config = workerConfig({ REDIS_URL: '' });
    const worker = await startWorker({ config, database, log, repeating });
    try {
      await vi.waitFor(async () => expect(await left()).not.toContain(keys.oldDone), {
        timeout: 10_000,
        interval: 100,
      });
    } finally {
      await worker.close();
    }
  });
});

describe('maintenance: purging expired auth and invitation rows', () => {
  it('removes ended sessions, expired or used tokens and old invitations, and keeps live ones', async () => {
    const tag = unique();
    const past = sql`now() - interval '40 days'`;
    const future = sql`now() + interval '1 day'`;
    const [user] = await database.db
      .insert(users)
      .values({ email: `${tag}@example.com` })
      .returning();
    const [org] = await database.db
      .insert(organizations)
      .values({ name: tag, slug: tag })
      .returning();
    const made = await database.db
      .insert(sessions)
      .values([
        { userId: user!.id, expiresAt: past },
        { userId: user!.id, expiresAt: future, revokedAt: past },
        { userId: user!.id, expiresAt: future },
      ])
      .returning({ id: sessions.id });
    const live = made[2]!.id;
    await database.db.insert(refreshTokens).values([
      { sessionId: live, tokenHash: `${tag}-old`, expiresAt: past },
      { sessionId: live, tokenHash: `${tag}-new`, expiresAt: future },
    ]);
    await database.db.insert(oneTimeTokens).values([
      { userId: user!.id, purpose: 'password-reset', tokenHash: `${tag}-expired`, expiresAt: past },
      {
        userId: user!.id,
        purpose: 'password-reset',
        tokenHash: `${tag}-used`,
        expiresAt: future,
        usedAt: sql`now()`,
      },
      {
        userId: user!.id,
        purpose: 'email-verification',
        tokenHash: `${tag}-live`,
        expiresAt: future,
      },
    ]);
    await database.db.insert(invitations).values([
      {
        orgId: org!.id,
        email: 'old@example.com',
        role: 'viewer',
        tokenHash: `${tag}-inv-old`,
        expiresAt: past,
      },
      {
        orgId: org!.id,
        email: 'new@example.com',
        role: 'viewer',
        tokenHash: `${tag}-inv-new`,
        expiresAt: future,
      },
    ]);
    for (const task of [
      'purge-sessions',
      'purge-refresh-tokens',
      'purge-one-time-tokens',
      'purge-invitations',
    ] as const) {
      await maintenance({ db: database.db, uploads: testUploadDeps() })(
        { task },
        context('maintenance', `${tag}-${task}`),
      );
    }
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
    expect(
      ids(
        await database.db
          .select({ id: sessions.id })
          .from(sessions)
          .where(eq(sessions.userId, user!.id)),
      ),
    ).toEqual([live]);
    const tokens = await database.db
      .select({ hash: refreshTokens.tokenHash })
      .from(refreshTokens)
      .where(eq(refreshTokens.sessionId, live));
    expect(tokens.map((t) => t.hash)).toEqual([`${tag}-new`]);
    const oneTime = await database.db
      .select({ hash: oneTimeTokens.tokenHash })
      .from(oneTimeTokens)
      .where(eq(oneTimeTokens.userId, user!.id));
    expect(oneTime.map((t) => t.hash)).toEqual([`${tag}-live`]);
    const pending = await database.db
      .select({ email: invitations.email })
      .from(invitations)
      .where(eq(invitations.orgId, org!.id));
    expect(pending.map((i) => i.email)).toEqual(['new@example.com']);
  });
});
