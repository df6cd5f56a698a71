import type { UserListQuery } from '@atrium/contracts';
import { type Database, users } from '@atrium/db';
import { and, desc, ilike, lt, or } from '@atrium/db/orm';
import { BadRequest } from '../../errors.js';
import { permissionsOf, toUser } from '../../plugins/auth/principal.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Newest first, keyset-paginated on the id: ids are UUIDv7, so id order is creation order and
 * the cursor (the last id of a page) stays stable under inserts.
 */
export async function listUsers(db: Database, query: UserListQuery) {
  const limit = query.limit ?? 20;
  if (query.cursor && !UUID.test(query.cursor)) {
    throw new BadRequest('The cursor is invalid.', [
      { path: '/querystring/cursor', message: 'is invalid' },
    ]);
  }
  const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const rows = await db
    .select({ user: users, permissions: permissionsOf(users.id) })
    .from(users)
    .where(
      and(
        query.cursor ? lt(users.id, query.cursor) : undefined,
        pattern
          ? or(
              ilike(users.email, pattern),
              ilike(users.username, pattern),
              ilike(users.fullName, pattern),
            )
          : undefined,
      ),
    )
    .orderBy(desc(users.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => toUser(r.user, r.permissions)),
    nextCursor: rows.length > limit ? page.at(-1)!.user.id : null,
  };
}
