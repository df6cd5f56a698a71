import type { LeadQuery, LeadTimeline } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { NotFound } from '../../errors.js';
import { decodeCursor, encodeCursor, invalidCursor, isUuid, toPage } from '../../pagination.js';
import { jobEvent, submissionEvent, toLead, uploadEvent } from './mapping.js';
import {
  countsOf,
  deleteJobsOf,
  deleteLeadRow,
  deleteSpamOf,
  insertErasure,
  jobsOf,
  leadById,
  leadPage,
  matching,
  storageKeysOf,
  submissionsOf,
  uploadsOf,
} from './queries.js';

/** Where uploads keep their bytes: the app's storage, once the uploads module provides one. */
export interface ObjectStore {
  delete(key: string): Promise<void>;
}

export interface LeadsContext {
  db: Database;
  storage: ObjectStore | undefined;
  log: { warn(obj: object, msg?: string): void };
}

function afterCursor(cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  const [lastSeenAt, id] = decodeCursor(cursor, ['string', 'string']);
  if (!isUuid(id) || Number.isNaN(Date.parse(lastSeenAt))) throw invalidCursor();
  return { lastSeenAt, id };
}

export async function listLeads(db: Database, query: LeadQuery) {
  const limit = query.limit ?? 20;
  const rows = await leadPage(db, matching(query.q), limit + 1, afterCursor(query.cursor));
  return toPage(rows, limit, toLead, (row) => encodeCursor([row.cursorAt, row.id]));
}

async function existingLead(db: Database, id: string) {
  const row = isUuid(id) ? await leadById(db, id) : undefined;
  if (!row) throw new NotFound('lead');
  return row;
}

export async function getLead(db: Database, id: string) {
  return toLead(await existingLead(db, id));
}

/** Submissions, uploads, emails and CRM syncs of one lead, newest first. */
export async function leadTimeline(db: Database, id: string): Promise<LeadTimeline> {
  const lead = await existingLead(db, id);
  const [submissions, leadUploads, jobs] = await Promise.all([
    submissionsOf(db, id),
    uploadsOf(db, id),
    jobsOf(db, id),
  ]);
  const byJob = new Map<string, typeof jobs>();
  for (const row of jobs) byJob.set(row.key, [...(byJob.get(row.key) ?? []), row]);
  const events = [
    ...submissions.map(submissionEvent),
    ...leadUploads.map(uploadEvent),
    ...[...byJob.values()].map((rows) => jobEvent(rows, lead.hubspotContactId)),
  ];
  // ISO instants in UTC sort as text; a job follows its submission at the same instant.
  events.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return { lead: toLead(lead), events };
}

/**
 * Personal-data erasure: the lead, its submissions (spam ones by its email too), its uploads and
 * their stored bytes, and its queued jobs (an upload's carry the person's email and name; a
 * form's only the submission's id, and one already on its way finds the submission gone) go; an
 * audit row keeps that it happened, by whom and how much, without the data. The bytes are
 * deleted after the commit: a rolled-back erasure must not have lost them.
 */
export async function eraseLead(context: LeadsContext, id: string, actorId: string) {
  if (!isUuid(id)) throw new NotFound('lead');
  const keys = await context.db.transaction(async (tx) => {
    const lead = await leadById(tx, id, true);
    if (!lead) throw new NotFound('lead');
    const counts = await countsOf(tx, id);
    const stored = await storageKeysOf(tx, id);
    await deleteJobsOf(tx, id);
    const spam = await deleteSpamOf(tx, lead.email);
    await deleteLeadRow(tx, id);
    await insertErasure(tx, {
      leadId: id,
      actorId,
      submissions: counts.submissions + spam.length,
      uploads: counts.uploads,
    });
    return stored.map((s) => s.key);
  });
  await removeStored(context, keys);
}

/** A failure leaves an object no row points at: retention's sweep of orphans removes it. */
async function removeStored(context: LeadsContext, keys: string[]) {
  if (!context.storage) return;
  for (const key of keys) {
    await context.storage.delete(key).catch((error: unknown) => {
      context.log.warn({ err: error }, 'erasure: an upload object could not be deleted');
    });
  }
}
