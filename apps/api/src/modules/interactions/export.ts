import { pipeline, Readable } from 'node:stream';
import type { InteractionExportQuery } from '@atrium/contracts';
import type { TenantScope } from '@atrium/db';
import { filterConditions, toInteraction } from '@atrium/db/queries';
import { stringify } from 'csv-stringify';
import { parseQ } from '../../search-text.js';
import { SORTS, sortedPage } from './queries.js';

const BATCH = 1000;
const COLUMNS = [
  'id',
  'title',
  'type',
  'lead',
  'startAt',
  'endAt',
  'timezone',
  'location',
  'description',
  'notes',
  'createdBy',
  'createdAt',
  'updatedAt',
  'version',
] as const;

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with a quote,
 * the OWASP defence against CSV injection; quoting of commas, quotes and newlines is the CSV
 * library's job.
 */
export const neutralizeFormula = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

/** Rows in keyset batches: memory stays flat however many rows the org has. */
async function* rows(scope: TenantScope, query: InteractionExportQuery) {
  const sort = SORTS[query.sort ?? '-createdAt'];
  const where = filterConditions(query, parseQ(query.q));
  let cursor: string | undefined;
  for (;;) {
    const batch = await sortedPage(scope, where, sort, BATCH, cursor);
    for (const row of batch) {
      const item = toInteraction(row);
      yield COLUMNS.map((c) => neutralizeFormula(item[c]));
    }
    if (batch.length < BATCH) return;
    cursor = sort.cursorOf(batch.at(-1)!);
  }
}

/** The CSV as a stream with backpressure; the query's filters and sort apply (relevance does not). */
export function exportCsv(scope: TenantScope, query: InteractionExportQuery): Readable {
  // Parse eagerly so a bad `q` is a 400 before the 200 and its headers go out.
  parseQ(query.q);
  const csv = stringify({ header: true, columns: [...COLUMNS] });
  // pipeline, not pipe: a failing query destroys the response stream instead of hanging it.
  pipeline(Readable.from(rows(scope, query)), csv, () => {});
  return csv;
}
