import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropStaleTemplates, TEMPLATE_MARK, TEST_ADMIN_URL } from '../src/testing.js';

const DAY_MS = 24 * 60 * 60 * 1000;
let admin: postgres.Sql;
const created: string[] = [];
beforeAll(() => {
  admin = postgres(TEST_ADMIN_URL, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end({ timeout: 5 });
});

/** A template of another migration set, marked as made `ageMs` ago (unmarked when undefined). */
async function template(ageMs: number | undefined) {
  const name = `atrium_tpl_other_${randomBytes(6).toString('hex')}`;
  created.push(name);
  await admin.unsafe(`create database "${name}"`);
  if (ageMs !== undefined) {
    await admin.unsafe(`comment on database "${name}" is '${TEMPLATE_MARK} ${Date.now() - ageMs}'`);
  }
  return name;
}

const exists = async (name: string) =>
  (await admin`select 1 from pg_database where datname = ${name}`).length === 1;

describe('stale test templates of other migration sets', () => {
  it('are dropped when a day old and unused; fresh, in-use and unmarked ones stay', async () => {
    const fresh = await template(60_000);
    const old = await template(2 * DAY_MS);
    const oldInUse = await template(2 * DAY_MS);
    const unmarked = await template(undefined);
    const url = new URL(TEST_ADMIN_URL);
    url.pathname = `/${oldInUse}`;
    const user = postgres(url.toString(), { max: 1 });
    try {
      await user`select 1`; // another checkout's test still connected to it
      await dropStaleTemplates(admin);
    } finally {
      await user.end({ timeout: 5 });
    }
    expect({
      fresh: await exists(fresh),
      old: await exists(old),
      oldInUse: await exists(oldInUse),
      unmarked: await exists(unmarked),
    }).toEqual({ fresh: true, old: false, oldInUse: true, unmarked: true });
  });
});
