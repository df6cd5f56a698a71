import { type SearchText, searchText } from '@atrium/db/queries';
import { BadRequest } from './errors.js';

/**
 * The search text of a request's `q` (absent: no search), shared by the org's list and export and
 * by cross-org search. Text with no letter or digit at all is refused: it cannot match anything.
 */
export function parseQ(q: string | undefined): SearchText | undefined {
  if (q === undefined) return undefined;
  const text = searchText(q);
  if (!text) {
    throw new BadRequest('The search text needs at least one letter or digit.', [
      { path: '/querystring/q', message: 'must contain a letter or digit' },
    ]);
  }
  return text;
}
