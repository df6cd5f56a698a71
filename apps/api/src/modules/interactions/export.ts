import type { Readable } from 'node:stream';
import type { InteractionExportQuery } from '@atrium/contracts';
import type { TenantScope } from '@atrium/db';
import { filterConditions, toInteraction } from '@atrium/db/queries';
import { CSV_BATCH, csvDownload } from '../../csv.js';
import { parseQ } from '../../search-text.js';
import { SORTS, sortedPage } from './queries.js';

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

/** Rows in keyset batches: memory stays flat however many rows the org has. */
async function* batches(scope: TenantScope, query: InteractionExportQuery) {
  const sort = SORTS[query.sort ?? '-createdAt'];
  const where = filterConditions(query, parseQ(query.q));
  let cursor: string | undefined;
  for (;;) {
    const batch = await sortedPage(scope, where, sort, CSV_BATCH, cursor);
    yield batch.map((row) => {
      const item = toInteraction(row);
      return COLUMNS.map((c) => item[c]);
    });
    if (batch.length < CSV_BATCH) return;
    cursor = sort.cursorOf(batch.at(-1)!);
  }
}

/** The CSV as a stream with backpressure; the query's filters and sort apply (relevance does not). */
export function exportCsv(scope: TenantScope, query: InteractionExportQuery): Readable {
  // Parse eagerly so a bad `q` is a 400 before the 200 and its headers go out.
  parseQ(query.q);
  return csvDownload(COLUMNS, batches(scope, query));
}
