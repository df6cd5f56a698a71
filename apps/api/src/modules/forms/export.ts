import type { Readable } from 'node:stream';
import type { FormSubmissionExportQuery } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { CSV_BATCH, csvDownload } from '../../csv.js';
import { toFormSubmission } from './mapping.js';
import { filters, submissionPage } from './queries.js';

/** The common fields get columns; the rest of each form (its own fields) goes in `fields` as JSON. */
const COLUMNS = [
  'id',
  'type',
  'createdAt',
  'spam',
  'leadId',
  'email',
  'name',
  'company',
  'phone',
  'message',
  'fields',
  'ip',
  'userAgent',
] as const;
const OWN = new Set(['name', 'email', 'company', 'phone', 'message']);

function toCells(row: Parameters<typeof toFormSubmission>[0]) {
  const item = toFormSubmission(row);
  const payload = item.payload as Record<string, unknown>;
  const fields = Object.fromEntries(Object.entries(payload).filter(([k]) => !OWN.has(k)));
  const cells: Record<(typeof COLUMNS)[number], unknown> = {
    ...item,
    name: payload.name,
    company: payload.company,
    phone: payload.phone,
    message: payload.message,
    fields: Object.keys(fields).length ? JSON.stringify(fields) : '',
  };
  return COLUMNS.map((c) => cells[c]);
}

/** Rows in keyset batches, newest first: memory stays flat however many submissions there are. */
async function* batches(db: Database, query: FormSubmissionExportQuery) {
  const where = filters(query);
  let cursor: string | undefined;
  for (;;) {
    const batch = await submissionPage(db, where, CSV_BATCH, cursor);
    yield batch.map(toCells);
    if (batch.length < CSV_BATCH) return;
    cursor = batch.at(-1)!.id;
  }
}

/**
 * The CSV as a stream with backpressure, with the list's filters. Form fields come from anyone on
 * the web, so the formula defence (`csvDownload`) matters more here than anywhere.
 */
export function exportCsv(db: Database, query: FormSubmissionExportQuery): Readable {
  return csvDownload(COLUMNS, batches(db, query));
}
