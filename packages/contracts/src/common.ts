import { type Static, type TSchema, Type } from 'typebox';

/**
 * A value or null. Null comes first: with Ajv's type coercion (Fastify's default) a string branch
 * tried first would turn a request's `null` into "".
 */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

/** UUIDv7 string id, as every Atrium resource uses. */
export const Id = Type.String({ format: 'uuid', description: 'UUIDv7 identifier' });
export type Id = Static<typeof Id>;

/** ISO-8601 UTC timestamp, e.g. `2026-11-25T10:00:00.000Z`. */
export const Timestamp = Type.String({
  format: 'date-time',
  description: 'ISO-8601 UTC timestamp',
});
export type Timestamp = Static<typeof Timestamp>;

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/** The body of a 204 response: nothing. */
export const NoContent = Type.Null({ description: 'No content' });

/** Query string of every list endpoint: keyset pagination. */
export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description: 'Opaque cursor: the `nextCursor` of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;

/** Response of every list endpoint: `nextCursor` is null on the last page. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Nullable(Type.String()),
  });
export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}
