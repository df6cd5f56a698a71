import type { Interaction, InteractionInput, InteractionPatch } from '@atrium/contracts';
import {
  type Database,
  interactionHistory,
  interactions,
  orgPlaceholder,
  type TenantScope,
  tenantScope,
} from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';
import { BadRequest, NotFound, PreconditionFailed } from '../../errors.js';
import { isUuid } from '../../pagination.js';
import { interactionColumns } from './columns.js';
import { toInteraction } from './mapping.js';

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

export function isTimeZone(zone: string): boolean {
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
const toRow = (v: Values) => ({
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

export async function createInteraction(
  scope: TenantScope,
  actorId: string,
  input: InteractionInput,
) {
  const values = validate(writable(input));
  return scope.db.transaction(async (tx) => {
    const t = tenantScope(tx, scope.orgId);
    const [row] = await t
      .insert(interactions, { ...toRow(values), createdBy: actorId, updatedBy: actorId })
      .returning(interactionColumns);
    await t.insert(interactionHistory, {
      interactionId: row!.id,
      action: 'created',
      actorId,
      changes: diff({}, values),
    });
    return toInteraction(row!);
  });
}

/** Read by id is the hottest query: prepared once per process, run through the tenant scope. */
export function prepareGetInteraction(db: Database) {
  const query = db
    .select(interactionColumns)
    .from(interactions)
    .where(and(orgPlaceholder(interactions), eq(interactions.id, sql.placeholder('id'))))
    .prepare('interaction_by_id');
  return async (scope: TenantScope, id: string) => {
    if (!isUuid(id)) throw new NotFound('interaction');
    const [row] = await scope.execute(query, { id });
    if (!row) throw new NotFound('interaction');
    return toInteraction(row);
  };
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
  return scope.db.transaction(async (tx) => {
    const t = tenantScope(tx, scope.orgId);
    const [locked] = await tx
      .select(interactionColumns)
      .from(interactions)
      .where(t.where(interactions, eq(interactions.id, id)))
      .for('update');
    if (!locked) throw new NotFound('interaction');
    const current = toInteraction(locked);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw new PreconditionFailed();
    const next = validate(apply(current));
    const changes = diff(current, next);
    if (Object.keys(changes).length === 0) return current;
    const [row] = await t
      .update(
        interactions,
        {
          ...toRow(next),
          updatedBy: actorId,
          updatedAt: sql`now()`,
          version: sql`${interactions.version} + 1`,
        },
        eq(interactions.id, id),
      )
      .returning(interactionColumns);
    await t.insert(interactionHistory, { interactionId: id, action: 'updated', actorId, changes });
    return toInteraction(row!);
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
  await scope.db.transaction(async (tx) => {
    const t = tenantScope(tx, scope.orgId);
    const [deleted] = await t
      .delete(interactions, eq(interactions.id, id))
      .returning(interactionColumns);
    if (!deleted) throw new NotFound('interaction');
    if (expectedVersion !== undefined && expectedVersion !== deleted.version)
      throw new PreconditionFailed();
    await t.insert(interactionHistory, {
      interactionId: id,
      action: 'deleted',
      actorId,
      changes: diff(pick(toInteraction(deleted)), {} as Values),
    });
  });
}
