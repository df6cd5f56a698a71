import { pipeline, Readable } from 'node:stream';
import type { FormSubmissionExportQuery } from '@atrium/contracts';
import type { Database } from '@atrium/db';
import { stringify } from 'csv-stringify';
import { toFormSubmission } from './mapping.js';
import { filters, submissionPage } from './queries.js';

const BATCH = 1000;
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

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with a quote,
 * the OWASP defence against CSV injection (as the interactions export does); quoting is the CSV
 * library's job. Form fields come from anyone on the web: this matters more here.
 */
const neutralizeFormula = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

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
  return COLUMNS.map((c) => neutralizeFormula(cells[c]));
}

/** Rows in keyset batches, newest first: memory stays flat however many submissions there are. */
async function* rows(db: Database, query: FormSubmissionExportQuery) {
  const where = filters(query);
  let cursor: string | undefined;
  for (;;) {
    const batch = await submissionPage(db, where, BATCH, cursor);
    for (const row of batch) yield toCells(row);
    if (batch.length < BATCH) return;
    cursor = batch.at(-1)!.id;
  }
}

/** The CSV as a stream with backpressure, with the list's filters. */
export function exportCsv(db: Database, query: FormSubmissionExportQuery): Readable {
  const csv = stringify({ header: true, columns: [...COLUMNS] });
  // pipeline, not pipe: a failing query destroys the response stream instead of hanging it.
  pipeline(Readable.from(rows(db, query)), csv, () => {});
  return csv;
}
