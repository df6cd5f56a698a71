import { totpCode } from '@atrium/auth';
import type { AuthResponse } from '@atrium/contracts';
import { auditEvents, sessions } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { expect } from 'vitest';
import { bearer, STRONG_PASSWORD, type TestApp } from './auth-support.js';

/**
 * A clock for TOTP checks that tests move by hand: starts at the first step of 2026, and each
 * `tick()` moves one 30-second step on, so every code a test sends is a fresh one.
 */
export function testClock() {
  let now = Date.UTC(2026, 0, 1);
  return {
    now: () => now,
    tick: (ms = 30_000) => {
      now += ms;
    },
    code: (secret: string, offsetMs = 0) => totpCode(secret, now + offsetMs),
  };
}
export type TestClock = ReturnType<typeof testClock>;

export const post = (app: TestApp, url: string, token: string | undefined, payload?: object) =>
  app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: token ? bearer(token) : {},
    ...(payload ? { payload } : {}),
  });

/** Turns two-factor sign-in on for the account of `auth`; the clock moves past the used code. */
export async function enableMfa(app: TestApp, clock: TestClock, auth: AuthResponse) {
  const enrolled = await post(app, '/auth/mfa/totp', auth.accessToken);
  expect(enrolled.statusCode).toBe(200);
  const { secret } = enrolled.json() as { secret: string };
  const confirmed = await post(app, '/auth/mfa/totp/confirm', auth.accessToken, {
    code: clock.code(secret),
  });
  expect(confirmed.statusCode).toBe(200);
  clock.tick();
  return { secret, recoveryCodes: confirmed.json().recoveryCodes as string[] };
}

/** The password step: answers the challenge token of an account with two-factor sign-in. */
export async function challenge(app: TestApp, email: string, remoteAddress = '127.0.0.1') {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login: email, password: STRONG_PASSWORD },
    remoteAddress,
  });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ status: 'mfa_required' });
  return res.json().challengeToken as string;
}

/** Moves the session's last password/2FA check back by `seconds`. */
export const ageAuthentication = (app: TestApp, accessToken: string, seconds: number) =>
  app.db
    .update(sessions)
    .set({ authenticatedAt: sql`now() - make_interval(secs => ${seconds})` })
    .where(eq(sessions.id, sidOf(accessToken)));

export const sidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;

/** The audit rows of one action about one target. */
export const auditOf = (app: TestApp, action: string, targetId: string) =>
  app.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action as never), eq(auditEvents.targetId, targetId)));
