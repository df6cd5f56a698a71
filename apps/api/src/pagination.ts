import type { PageOf } from '@atrium/contracts';
import type { RankCursor } from '@atrium/db/queries';
import { BadRequest } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string) => UUID.test(value);

export const invalidCursor = () =>
  new BadRequest('The cursor is invalid; pass the nextCursor of the previous page.', [
    { path: '/querystring/cursor', message: 'is invalid' },
  ]);

/**
 * The cursor of lists ordered by id: ids are UUIDv7, so id order is creation order and a cursor
 * (the last id of a page) stays stable under inserts.
 */
export function idCursor(cursor: string | undefined): string | undefined {
  if (cursor !== undefined && !isUuid(cursor)) throw invalidCursor();
  return cursor;
}

/** A cursor over a composite sort key: the key's values, base64url-encoded JSON. */
export function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes `encodeCursor`, checking each value's type; a malformed cursor is a 400. */
export function decodeCursor<T extends ('string' | 'number')[]>(
  cursor: string,
  types: [...T],
): { [K in keyof T]: T[K] extends 'number' ? number : string } {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (
    !Array.isArray(values) ||
    values.length !== types.length ||
    values.some((v, i) => typeof v !== types[i])
  ) {
    throw invalidCursor();
  }
  return values as { [K in keyof T]: T[K] extends 'number' ? number : string };
}

/** One page from `limit + 1` rows: the extra row only says whether another page follows. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => string,
): PageOf<Item> {
  const page = rows.slice(0, limit);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit ? cursorOf(page.at(-1)!) : null,
  };
}

/** The cursor of a page ranked by relevance: the last row's (rank, id). */
export function rankCursor(cursor: string | undefined): RankCursor | undefined {
  if (cursor === undefined) return undefined;
  const [rank, id] = decodeCursor(cursor, ['number', 'string']);
  if (!isUuid(id)) throw invalidCursor();
  return { rank, id };
}

export const rankCursorOf = (row: RankCursor) => encodeCursor([row.rank, row.id]);
