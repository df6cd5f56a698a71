import { hashPassword, verifyPassword } from '@atrium/auth';
import {
  ChangePasswordRequest,
  IdParams,
  NoContent,
  SessionList,
  UpdateMeRequest,
  User,
} from '@atrium/contracts';
import { sessions, users } from '@atrium/db';
import { and, desc, eq, gt, isNull, sql } from '@atrium/db/orm';
import { otherSessionsOf, revokeSessions } from '@atrium/db/queries';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { assertAvailable, assertStrongPassword, getUser } from '../../accounts.js';
import { Conflict, NotFound, Unauthorized } from '../../errors.js';
import { perIp } from './limiter.js';

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['auth'];
  const auth = { auth: true } as const;

  app.get(
    '/auth/me',
    { config: auth, schema: { tags, summary: 'The signed-in user', response: { 200: User } } },
    // The auth check already loaded the user (cached per session): no further query.
    async (request) => request.user!,
  );

  app.patch(
    '/auth/me',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Update your own profile (only these fields)',
        body: UpdateMeRequest,
        response: { 200: User },
      },
    },
    async (request) => {
      const me = request.user!;
      const { username, fullName, bio, phoneNumber } = request.body;
      if (username) await assertAvailable(app.db, undefined, username, me.id);
      await app.db
        .transaction(async (tx) => {
          await tx
            .update(users)
            .set({ username, fullName, bio, phoneNumber, updatedAt: sql`now()` })
            .where(eq(users.id, me.id));
          await app.authChanged(tx);
        })
        .catch((error: unknown) => {
          // A concurrent update took the username between the check above and this write.
          if (isUniqueViolation(error))
            throw new Conflict('An account with this username already exists.');
          throw error;
        });
      return getUser(app.db, me.id);
    },
  );

  app.put(
    '/auth/me/password',
    {
      config: { ...auth, rateLimit: perIp(app, 10, 15 * 60_000) },
      schema: {
        tags,
        summary: 'Change your password; ends your other sessions',
        body: ChangePasswordRequest,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const me = request.user!;
      const [row] = await app.db
        .select({ hash: users.passwordHash })
        .from(users)
        .where(eq(users.id, me.id));
      if (!(await verifyPassword(row?.hash, request.body.currentPassword))) {
        throw new Unauthorized('The current password is incorrect.', 'invalid_credentials');
      }
      const inputs = [me.email, me.username ?? '', me.fullName ?? ''];
      await assertStrongPassword(request.body.newPassword, 'newPassword', inputs);
      const passwordHash = await hashPassword(request.body.newPassword);
      await app.db.transaction(async (tx) => {
        await tx
          .update(users)
          .set({ passwordHash, updatedAt: sql`now()` })
          .where(eq(users.id, me.id));
        await revokeSessions(tx, otherSessionsOf(me.id, request.session?.id));
        await app.authChanged(tx);
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/sessions',
    {
      config: auth,
      schema: { tags, summary: 'Your live sessions', response: { 200: SessionList } },
    },
    async (request) => {
      const rows = await app.db
        .select()
        .from(sessions)
        .where(
          and(
            eq(sessions.userId, request.user!.id),
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, sql`now()`),
          ),
        )
        .orderBy(desc(sessions.lastUsedAt))
        .limit(100);
      return {
        items: rows.map((s) => ({
          id: s.id,
          userAgent: s.userAgent,
          ip: s.ip,
          createdAt: s.createdAt.toISOString(),
          lastUsedAt: s.lastUsedAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
          current: s.id === request.session?.id,
        })),
      };
    },
  );

  app.delete(
    '/auth/sessions/:id',
    {
      config: auth,
      schema: {
        tags,
        summary: 'End one of your sessions',
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const ended = await app.db.transaction(async (tx) => {
        const rows = await revokeSessions(
          tx,
          and(eq(sessions.id, request.params.id), eq(sessions.userId, request.user!.id)),
        );
        if (rows.length) await app.authChanged(tx);
        return rows.length;
      });
      if (!ended) throw new NotFound('session');
      return reply.status(204).send(null);
    },
  );
};

function isUniqueViolation(error: unknown): boolean {
  const codeOf = (e: unknown) => (e as { code?: string } | undefined)?.code;
  return codeOf(error) === '23505' || codeOf((error as { cause?: unknown }).cause) === '23505';
}
