import type { Logger } from '@atrium/config';
import { users } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureFirstSuperuser } from '../src/index.js';
import type { TestApp } from './auth-support.js';
import { testApp } from './support.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.dispose();
  app = undefined;
});

function recordingLogger() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const record = (fields: Record<string, unknown> | string, message?: string) => {
    lines.push(
      typeof fields === 'string'
        ? { fields: {}, message: fields }
        : { fields, message: message ?? '' },
    );
  };
  return { lines, log: { info: record, warn: record } as unknown as Logger };
}

const login = (email: string, password: string) =>
  app!.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: email, password } });

describe('the first superuser', () => {
  it('is created once from the environment, even when two processes start together', async () => {
    app = await testApp({
      FIRST_SUPERUSER_EMAIL: 'root@example.com',
      FIRST_SUPERUSER_PASSWORD: 'a-root-password-1',
    });
    const { log } = recordingLogger();
    await Promise.all([
      ensureFirstSuperuser(app.db, app.config, log),
      ensureFirstSuperuser(app.db, app.config, log),
    ]);
    await ensureFirstSuperuser(app.db, app.config, log);
    const supers = await app.db.select().from(users).where(eq(users.isSuperuser, true));
    expect(supers.map((u) => u.email)).toEqual(['root@example.com']);
    expect((await login('root@example.com', 'a-root-password-1')).json().user.isSuperuser).toBe(
      true,
    );
  });

  it('is generated and printed once when embedded with nothing configured', async () => {
    app = await testApp();
    const embedded = { ...app.config, databaseUrl: undefined };
    const { lines, log } = recordingLogger();
    await ensureFirstSuperuser(app.db, embedded, log);
    await ensureFirstSuperuser(app.db, embedded, log);
    const printed = lines.filter((l) => l.fields.password);
    expect(printed).toHaveLength(1);
    const { email, password } = printed[0]!.fields as { email: string; password: string };
    expect((await login(email, password)).statusCode).toBe(200);
  });
});
