import { type Static, Type } from 'typebox';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.js';

export const InteractionTypes = [
  'meeting',
  'call',
  'email',
  'update',
  'training',
  'other',
] as const;
export type InteractionType = (typeof InteractionTypes)[number];

/** What a history entry records. */
export const HistoryActions = ['created', 'updated', 'deleted'] as const;
export const InteractionTypeSchema = Type.Enum(InteractionTypes);

export const InteractionSorts = [
  'startAt',
  '-startAt',
  'title',
  '-title',
  'createdAt',
  '-createdAt',
] as const;
export type InteractionSort = (typeof InteractionSorts)[number];

const Title = Type.String({ minLength: 1, maxLength: 200 });
const Lead = Type.String({ minLength: 1, maxLength: 200 });
const Location = Type.String({ maxLength: 200 });
const LongText = Type.String({ maxLength: 10_000 });
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'An IANA time zone, e.g. Europe/Paris',
});

export const Interaction = Type.Object({
  id: Id,
  orgId: Id,
  title: Type.String(),
  type: InteractionTypeSchema,
  lead: Type.String(),
  startAt: Timestamp,
  endAt: Timestamp,
  timezone: Type.String(),
  location: Nullable(Type.String()),
  description: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  createdBy: Nullable(Id),
  updatedBy: Nullable(Id),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer({
    minimum: 1,
    description: 'Increases on every change; send it back in If-Match',
  }),
});
export type Interaction = Static<typeof Interaction>;
export const InteractionPage = Page(Interaction);

/** The writable fields; `PUT` takes all the required ones, `PATCH` any subset. */
const writable = {
  title: Title,
  type: InteractionTypeSchema,
  lead: Lead,
  startAt: Timestamp,
  endAt: Timestamp,
  timezone: TimeZone,
  location: Type.Optional(Nullable(Location)),
  description: Type.Optional(Nullable(LongText)),
  notes: Type.Optional(Nullable(LongText)),
};

export const InteractionInput = Type.Object(writable, { additionalProperties: false });
export type InteractionInput = Static<typeof InteractionInput>;

// Partial drops the inner object's options: the closing has to be restated here.
export const InteractionPatch = Type.Partial(Type.Object(writable), {
  additionalProperties: false,
  minProperties: 1,
});
export type InteractionPatch = Static<typeof InteractionPatch>;

export const InteractionParams = Type.Object(
  { orgId: Type.String(), id: Type.String() },
  { additionalProperties: false },
);

export const InteractionListQuery = Type.Object(
  {
    ...PageQuery.properties,
    q: Type.Optional(
      Type.String({ maxLength: 3000, description: 'Full-text search over every text field' }),
    ),
    type: Type.Optional(InteractionTypeSchema),
    lead: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'startAt on or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'startAt before' })),
    sort: Type.Optional(
      Type.Enum(InteractionSorts, { description: 'Default: relevance with q, else -createdAt' }),
    ),
  },
  { additionalProperties: false },
);
export type InteractionListQuery = Static<typeof InteractionListQuery>;

export const InteractionExportQuery = Type.Omit(InteractionListQuery, ['limit', 'cursor'], {
  additionalProperties: false,
});
export type InteractionExportQuery = Static<typeof InteractionExportQuery>;

export const FieldChange = Type.Object({ from: Type.Unknown(), to: Type.Unknown() });
export const HistoryEntry = Type.Object({
  id: Id,
  interactionId: Id,
  action: Type.Enum(HistoryActions),
  actor: Nullable(Id),
  at: Timestamp,
  changes: Type.Record(Type.String(), FieldChange),
});
export type HistoryEntry = Static<typeof HistoryEntry>;
export const HistoryPage = Page(HistoryEntry);

export const InteractionTypeList = Type.Object({
  items: Type.Array(Type.Object({ value: InteractionTypeSchema, label: Type.String() })),
});

export const SearchQuery = Type.Object(
  { ...PageQuery.properties, q: Type.String({ minLength: 1, maxLength: 3000 }) },
  { additionalProperties: false },
);
export const SearchHit = Type.Object({
  interaction: Interaction,
  organization: Type.Object({ id: Id, name: Type.String(), slug: Type.String() }),
});
export const SearchPage = Page(SearchHit);
