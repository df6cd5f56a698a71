import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import { Malformed } from './errors.js';
import type { Analysis, AnalysisLimits } from './types.js';

export interface XmlResult extends Record<string, unknown> {
  root: string;
  /** Elements in the document, and the deepest nesting (the root is depth 1). */
  elements: number;
  depth: number;
  /** Occurrences per element name, most frequent first (the first `maxNames` names seen). */
  elementCounts: { name: string; count: number }[];
  /** Occurrences per attribute name, most frequent first (the first `maxNames` names seen). */
  attributes: { name: string; count: number }[];
  /** Occurrences of element and attribute names past the first `maxNames`: counted, not listed. */
  unlistedNames: number;
  comments: number;
  cdataSections: number;
  processingInstructions: number;
  /** A DOCTYPE was present; its declarations are neither fetched nor expanded. */
  doctype: boolean;
  encoding?: string;
}

const MAX_TAG_ATTRIBUTES = 10_000;

/** The parser's own buffers, read to bound them (see below). */
interface SaxesBuffers {
  text: string;
  name: string;
}

/**
 * saxes never resolves external entities and never expands DTD entities: it does not process
 * DTDs at all, so `&xxe;` or `&lol9;` is an undefined entity, which fails the analysis (no file
 * read, no billion laughs). Element text is not buffered when no text handler is set; what
 * saxes does buffer (an attribute value, a comment, CDATA, a DOCTYPE, a name) is checked after
 * each chunk against `maxRecordBytes`.
 */
export async function analyseXml(source: Readable, limits: AnalysisLimits): Promise<Analysis> {
  const parser = new SaxesParser({ position: true });
  const elementCounts = new Map<string, number>();
  const attributeCounts = new Map<string, number>();
  let unlistedNames = 0;
  let root: string | undefined;
  let elements = 0;
  let depth = 0;
  let maxDepth = 0;
  let comments = 0;
  let cdataSections = 0;
  let processingInstructions = 0;
  let doctype = false;
  let encoding: string | undefined;

  const count = (map: Map<string, number>, name: string): void => {
    const seen = map.get(name);
    if (seen !== undefined) map.set(name, seen + 1);
    else if (elementCounts.size + attributeCounts.size < limits.maxNames) map.set(name, 1);
    else unlistedNames++;
  };
  parser.on('xmldecl', (decl) => {
    encoding = decl.encoding;
  });
  parser.on('doctype', () => {
    doctype = true;
  });
  // saxes keeps an element's attributes until its tag closes: bound how many one tag may have.
  let tagAttributes = 0;
  parser.on('opentagstart', () => {
    tagAttributes = 0;
  });
  parser.on('attribute', () => {
    if (++tagAttributes > MAX_TAG_ATTRIBUTES) {
      throw new Malformed(`an element with more than ${MAX_TAG_ATTRIBUTES} attributes`);
    }
  });
  parser.on('opentag', (tag) => {
    root ??= tag.name;
    elements++;
    depth++;
    if (depth > maxDepth) maxDepth = depth;
    if (depth > limits.maxDepth) throw new Malformed(`nested deeper than ${limits.maxDepth}`);
    count(elementCounts, tag.name);
    for (const name in tag.attributes) count(attributeCounts, name);
  });
  parser.on('closetag', () => {
    depth--;
  });
  parser.on('comment', () => {
    comments++;
  });
  parser.on('cdata', () => {
    cdataSections++;
  });
  parser.on('processinginstruction', () => {
    processingInstructions++;
  });

  const buffers = parser as unknown as SaxesBuffers;
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of source) {
      parser.write(decoder.write(chunk as Buffer));
      if (
        buffers.text.length > limits.maxRecordBytes ||
        buffers.name.length > limits.maxRecordBytes
      ) {
        throw new Malformed(
          `an attribute, comment, CDATA section or DOCTYPE is larger than ${limits.maxRecordBytes} bytes`,
        );
      }
    }
    parser.write(decoder.end());
    parser.close();
  } catch (err) {
    if (err instanceof Malformed) throw err;
    throw new Malformed(`not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
  }

  if (root === undefined) throw new Malformed('no root element');
  const result: XmlResult = {
    root,
    elements,
    depth: maxDepth,
    elementCounts: ranked(elementCounts),
    attributes: ranked(attributeCounts),
    unlistedNames,
    comments,
    cdataSections,
    processingInstructions,
    doctype,
  };
  if (encoding !== undefined) result.encoding = encoding;
  const distinct = elementCounts.size + (unlistedNames > 0 ? '+' : '');
  return {
    summary: `XML: root <${root}>, ${elements.toLocaleString('en-US')} elements (${distinct} names), depth ${maxDepth}`,
    result,
  };
}

function ranked(map: Map<string, number>): { name: string; count: number }[] {
  return [...map].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count);
}
