import { randomBytes } from 'node:crypto';
import { hashPassword } from '@atrium/auth';
import type { AuthResponse, Permission } from '@atrium/contracts';
import { outbox, roles, selectRows, userRoles } from '@atrium/db';
import { desc, sql } from '@atrium/db/orm';
import { Redis } from 'ioredis';
import { vi } from 'vitest';
import { insertAccount } from '../src/accounts.js';
import { authResponse } from '../src/modules/auth/mapping.js';
import { startSession } from '../src/modules/auth/service.js';
import type { testApp } from './support.js';

export type TestApp = Awaited<ReturnType<typeof testApp>>;

export const STRONG_PASSWORD = 'plum-orbit-cactus-lantern-93';
let counter = 0;

// Every signUp's user has STRONG_PASSWORD: one real argon2id hash of it (today's parameters) per
// file, instead of one per user (tens of milliseconds of CPU each) and a policy check each.
// Registration itself is tested over HTTP, where the password is checked and hashed.
let strongPasswordHash: Promise<string> | undefined;

/**
 * A user with a live session, made without HTTP so tests do not spend the per-IP limits; its
 * password is STRONG_PASSWORD.
 */
export async function signUp(
  app: TestApp,
  options: { isSuperuser?: boolean; permissions?: Permission[]; email?: string } = {},
): Promise<AuthResponse> {
  // This call's number: the shared counter moves on while this one waits (Promise.all).
  const n = ++counter;
  const email = options.email ?? `user${n}-${Date.now()}@example.com`;
  const username = `user${n}x${Date.now() % 100000}`;
  strongPasswordHash ??= hashPassword(STRONG_PASSWORD);
  const user = await insertAccount(app.db, {
    email,
    passwordHash: await strongPasswordHash,
    username,
    isSuperuser: options.isSuperuser ?? false,
  });
  if (options.permissions) {
    const [role] = await app.db
      .insert(roles)
      .values({ name: `role-${n}-${Date.now()}`, permissions: options.permissions })
      .returning();
    await app.db.insert(userRoles).values({ userId: user.id, roleId: role!.id });
  }
  const client = { userAgent: 'vitest', ip: '127.0.0.1' };
  const session = await startSession(app.db, user.id, client, app.config.sessions);
  const fresh = await app.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: bearer(authResponse(app, user, session).accessToken),
  });
  return authResponse(app, fresh.json(), session);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The token carried by the newest email of `template` to `to`, read from the outbox; waits a
 * little for it, as some emails are queued after their request is answered.
 */
export async function emailedToken(app: TestApp, to: string, template: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const rows = await app.db
        .select({ payload: outbox.payload })
        .from(outbox)
        .where(
          sql`${outbox.payload}->>'to' = ${to} and ${outbox.payload}->>'template' = ${template}`,
        )
        .orderBy(desc(outbox.createdAt));
      const payload = rows[0]?.payload as { data: { token: string } } | undefined;
      if (!payload) throw new Error(`no ${template} email to ${to}`);
      return payload.data.token;
    },
    { timeout: 5000, interval: 20 },
  );
}

export { selectRows };

/** A QUEUE_PREFIX no other test or checkout uses, for the Redis keys one test file writes. */
export const uniquePrefix = () => `atrium-test-${randomBytes(4).toString('hex')}`;

/** Deletes every key under `prefix` (a test's own, from `uniquePrefix`). */
export async function deleteRedisKeys(url: string, prefix: string) {
  const redis = new Redis(url);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}
