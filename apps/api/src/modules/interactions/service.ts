import type {
  Interaction,
  InteractionInput,
  InteractionListQuery,
  InteractionPatch,
} from '@atrium/contracts';
import type { TenantScope } from '@atrium/db';
import { filterConditions, toInteraction } from '@atrium/db/queries';
import { BadRequest, NotFound, PreconditionFailed } from '../../errors.js';
import { idCursor, isUuid, rankCursor, rankCursorOf, toPage } from '../../pagination.js';
import { parseQ } from '../../search-text.js';
import { toHistoryEntry } from './mapping.js';
import {
  deleteInteractionRow,
  historyPage,
  insertHistory,
  insertInteraction,
  interactionById,
  lockInteraction,
  rankedPage,
  SORTS,
  sortedPage,
  updateInteraction,
  type WritableRow,
} from './queries.js';

const FIELDS = [
  'title',
  'type',
  'lead',
  'startAt',
  'endAt',
  'timezone',
  'location',
  'description',
  'notes',
] as const;
type Field = (typeof FIELDS)[number];
type Values = Pick<Interaction, Field>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Checks what the schema cannot (a real IANA zone, end ≥ start) and normalizes the instants. */
function validate(values: Values): Values {
  const errors = [];
  if (!isTimeZone(values.timezone))
    errors.push({
      path: '/body/timezone',
      message: 'must be an IANA time zone such as Europe/Paris',
    });
  if (Date.parse(values.endAt) < Date.parse(values.startAt))
    errors.push({ path: '/body/endAt', message: 'must not be before startAt' });
  if (errors.length)
    throw new BadRequest(
      `The interaction is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`,
      errors,
    );
  return {
    ...values,
    startAt: new Date(values.startAt).toISOString(),
    endAt: new Date(values.endAt).toISOString(),
  };
}

/**
 * The writable fields of `source` and nothing else, absent optional ones as null: whatever else a
 * caller's object carries (an `orgId`, an `id`, a `createdBy`) never reaches the row.
 */
const writable = (source: InteractionInput): Values => ({
  title: source.title,
  type: source.type,
  lead: source.lead,
  startAt: source.startAt,
  endAt: source.endAt,
  timezone: source.timezone,
  location: source.location ?? null,
  description: source.description ?? null,
  notes: source.notes ?? null,
});

/** The columns a create or change writes, each named. */
const toRow = (v: Values): WritableRow => ({
  title: v.title,
  type: v.type,
  lead: v.lead,
  startAt: new Date(v.startAt),
  endAt: new Date(v.endAt),
  timezone: v.timezone,
  location: v.location ?? null,
  description: v.description ?? null,
  notes: v.notes ?? null,
});

/** `{ field: { from, to } }` for each field whose value differs. */
function diff(before: Partial<Values>, after: Values) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of FIELDS) {
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (from !== to) changes[field] = { from, to };
  }
  return changes;
}

/**
 * The org's interactions, filtered and keyset-paginated. With `q` and no explicit sort they are
 * ranked by relevance among the first SEARCH_CANDIDATES matches.
 */
export async function listInteractions(scope: TenantScope, query: InteractionListQuery) {
  const limit = query.limit ?? 20;
  const text = parseQ(query.q);
  const where = filterConditions(query, text);
  if (text && !query.sort) {
    const rows = await rankedPage(scope, where, text, limit + 1, rankCursor(query.cursor));
    return toPage(rows, limit, toInteraction, rankCursorOf);
  }
  const sort = SORTS[query.sort ?? '-createdAt'];
  const rows = await sortedPage(scope, where, sort, limit + 1, query.cursor);
  return toPage(rows, limit, toInteraction, sort.cursorOf);
}

/** Read by id, the hottest path: one prepared statement. */
export async function getInteraction(scope: TenantScope, id: string) {
  const row = isUuid(id) ? await interactionById(scope, id) : undefined;
  if (!row) throw new NotFound('interaction');
  return toInteraction(row);
}

/** Oldest first. Readable after the interaction is deleted: the trail outlives the record. */
export async function listHistory(
  scope: TenantScope,
  interactionId: string,
  query: { limit?: number; cursor?: string },
) {
  if (!isUuid(interactionId)) throw new NotFound('interaction');
  const limit = query.limit ?? 20;
  const cursor = idCursor(query.cursor);
  const rows = await historyPage(scope, interactionId, limit + 1, cursor);
  if (rows.length === 0 && !cursor) throw new NotFound('interaction');
  return toPage(rows, limit, toHistoryEntry, (r) => r.id);
}

export async function createInteraction(
  scope: TenantScope,
  actorId: string,
  input: InteractionInput,
) {
  const values = validate(writable(input));
  return scope.transaction(async (tx) => {
    const row = await insertInteraction(tx, toRow(values), actorId);
    await insertHistory(tx, {
      interactionId: row.id,
      action: 'created',
      actorId,
      changes: diff({}, values),
    });
    return toInteraction(row);
  });
}

/**
 * Applies a change under a row lock: checks If-Match against the current version, writes the
 * new values with version + 1, and records the field-by-field history in the same transaction.
 */
async function change(
  scope: TenantScope,
  id: string,
  expectedVersion: number | undefined,
  apply: (current: Interaction) => Values,
  actorId: string,
) {
  if (!isUuid(id)) throw new NotFound('interaction');
  return scope.transaction(async (tx) => {
    const locked = await lockInteraction(tx, id);
    if (!locked) throw new NotFound('interaction');
    const current = toInteraction(locked);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw new PreconditionFailed();
    const next = validate(apply(current));
    const changes = diff(current, next);
    if (Object.keys(changes).length === 0) return current;
    const row = await updateInteraction(tx, id, toRow(next), actorId);
    await insertHistory(tx, { interactionId: id, action: 'updated', actorId, changes });
    return toInteraction(row);
  });
}

const pick = (i: Interaction): Values => writable(i);

/** The current values with the patch's fields (and only the writable ones) laid over them. */
function merge(current: Interaction, patch: InteractionPatch): Values {
  const value = (field: Field) => (Object.hasOwn(patch, field) ? patch[field] : current[field]);
  return writable(Object.fromEntries(FIELDS.map((f) => [f, value(f)])) as InteractionInput);
}

/** PUT: the body replaces every writable field (omitted optional ones become null). */
export const replaceInteraction = (
  scope: TenantScope,
  actorId: string,
  id: string,
  input: InteractionInput,
  version?: number,
) => change(scope, id, version, () => writable(input), actorId);

/** PATCH: the body's fields are merged into the current ones. */
export const patchInteraction = (
  scope: TenantScope,
  actorId: string,
  id: string,
  input: InteractionPatch,
  version?: number,
) => change(scope, id, version, (current) => merge(current, input), actorId);

export async function deleteInteraction(
  scope: TenantScope,
  actorId: string,
  id: string,
  expectedVersion?: number,
) {
  if (!isUuid(id)) throw new NotFound('interaction');
  await scope.transaction(async (tx) => {
    const deleted = await deleteInteractionRow(tx, id);
    if (!deleted) throw new NotFound('interaction');
    if (expectedVersion !== undefined && expectedVersion !== deleted.version)
      throw new PreconditionFailed();
    await insertHistory(tx, {
      interactionId: id,
      action: 'deleted',
      actorId,
      changes: diff(pick(toInteraction(deleted)), {} as Values),
    });
  });
}
