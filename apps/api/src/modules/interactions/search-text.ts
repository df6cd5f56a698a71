import { BadRequest } from '../../errors.js';

const MAX_WORDS = 16;
const MAX_WORD_LENGTH = 64;

export interface SearchText {
  /** A `to_tsquery` expression built only from letters and digits: nothing in it is syntax. */
  tsquery: string;
  /** The words joined by spaces, for trigram similarity on the short fields. */
  plain: string;
}

/**
 * Turns any user text into a safe full-text query: its words, all required, the last one as a
 * prefix (people search while typing). Operators, quotes, `%`, `:*`, NUL and the like are never
 * passed through, so no input can break the query; text with no word at all is refused.
 */
export function parseSearchText(q: string, path = '/querystring/q'): SearchText {
  const words = (q.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [])
    .slice(0, MAX_WORDS)
    .map((w) => w.slice(0, MAX_WORD_LENGTH).toLowerCase());
  if (words.length === 0) {
    throw new BadRequest('The search text needs at least one letter or digit.', [
      { path, message: 'must contain a letter or digit' },
    ]);
  }
  const terms = words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w));
  return { tsquery: terms.join(' & '), plain: words.join(' ') };
}
