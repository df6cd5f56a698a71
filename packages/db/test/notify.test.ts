import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDatabase,
  type Database,
  type DatabaseHandle,
  notifyAfterCommit,
} from '../src/index.js';
import { createTestDatabase, createTestPglite, type TestDatabase } from '../src/testing.js';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(() => test.drop());

/**
 * A writer and a listener on the same database. On PostgreSQL they are two handles, as the API
 * and worker processes are; the writer has one connection, so its statements reach the server
 * in the order the test issues them. PGlite has one connection for both.
 */
const setups: [string, () => Promise<{ writer: DatabaseHandle; listener: DatabaseHandle }>][] = [
  [
    'PostgreSQL',
    async () => ({
      writer: await createDatabase({ url: test.url, poolMax: 1 }),
      listener: await createDatabase({ url: test.url, poolMax: 1 }),
    }),
  ],
  [
    'PGlite',
    async () => {
      const embedded = await createTestPglite();
      return { writer: embedded, listener: embedded };
    },
  ],
];

describe.each(setups)('notifyAfterCommit on %s', (_name, setup) => {
  /** Records the channels notified, in order; `marker` is notified last, outside a transaction. */
  async function recording(write: (db: Database) => Promise<void>) {
    const { writer, listener } = await setup();
    const heard: string[] = [];
    const stops = await Promise.all(
      ['atrium_test_job', 'atrium_test_marker'].map((channel) =>
        listener.listen(channel, () => heard.push(channel)),
      ),
    );
    try {
      await write(writer.db).catch(() => {});
      await notifyAfterCommit(writer.db, 'atrium_test_marker');
      await vi.waitFor(() => expect(heard).toContain('atrium_test_marker'));
      return heard;
    } finally {
      for (const stop of stops) await stop();
      await writer.close();
      if (listener !== writer) await listener.close();
    }
  }

  it('notifies another connection once the transaction commits', async () => {
    const heard = await recording((db) =>
      db.transaction((tx) => notifyAfterCommit(tx, 'atrium_test_job')),
    );
    expect(heard).toEqual(['atrium_test_job', 'atrium_test_marker']);
  });

  it('notifies nothing when the transaction rolls back', async () => {
    const heard = await recording((db) =>
      db.transaction(async (tx) => {
        await notifyAfterCommit(tx, 'atrium_test_job');
        throw new Error('business change failed');
      }),
    );
    expect(heard).toEqual(['atrium_test_marker']);
  });

  it('notifies on the outer commit from inside a savepoint', async () => {
    const heard = await recording((db) =>
      db.transaction((tx) =>
        tx.transaction((inner) => notifyAfterCommit(inner, 'atrium_test_job')),
      ),
    );
    expect(heard).toEqual(['atrium_test_job', 'atrium_test_marker']);
  });

  it('notifies from the handle itself, folding calls made while one NOTIFY is on its way', async () => {
    const heard = await recording(async (db) => {
      await Promise.all(Array.from({ length: 20 }, () => notifyAfterCommit(db, 'atrium_test_job')));
    });
    const jobs = heard.filter((channel) => channel === 'atrium_test_job').length;
    // One NOTIFY for the first call, one more for the 19 made while it was on its way.
    expect(jobs).toBeGreaterThanOrEqual(1);
    expect(jobs).toBeLessThanOrEqual(2);
  });
});
