import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parser } from 'stream-json';
import { Malformed } from './errors.js';
import type { Analysis, AnalysisLimits } from './types.js';

type ValueType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export interface JsonPath {
  /** `$` the root, `.key` a member, `[]` any element of an array. */
  path: string;
  /** How many values were found at this path, by type. */
  types: Partial<Record<ValueType, number>>;
  /** For arrays at this path: the shortest and longest. */
  lengths?: { min: number; max: number };
}

export interface JsonResult extends Record<string, unknown> {
  topLevel: ValueType;
  /** Deepest nesting of objects and arrays (a scalar document is 0). */
  depth: number;
  /** Elements of the top-level array, when it is one. */
  length?: number;
  values: Record<ValueType, number>;
  paths: JsonPath[];
  /** Paths past `limits.maxKeyPaths`: counted here, not listed. */
  unlistedPaths: number;
}

interface Frame {
  kind: 'object' | 'array';
  path: string;
  length: number;
  key: string;
}

const KEY_CHARS = 100;

/**
 * Walks stream-json's token stream with every key, string and number streamed in chunks (never
 * packed), so a huge string or key costs no memory: keys are kept to their first 100 characters.
 */
export async function analyseJson(source: Readable, limits: AnalysisLimits): Promise<Analysis> {
  const stack: Frame[] = [];
  const paths = new Map<string, JsonPath>();
  const values: JsonResult['values'] = {
    object: 0,
    array: 0,
    string: 0,
    number: 0,
    boolean: 0,
    null: 0,
  };
  let topLevel: ValueType | undefined;
  let depth = 0;
  let length: number | undefined;
  let unlistedPaths = 0;
  let key = '';
  let inKey = false;
  // An error thrown in the consumer reaches the caller as the pipeline's abort: keep ours.
  let failure: Malformed | undefined;

  const pathOfNext = (): string => {
    const parent = stack[stack.length - 1];
    if (parent === undefined) return '$';
    parent.length++;
    return parent.kind === 'array' ? `${parent.path}[]` : `${parent.path}.${parent.key}`;
  };
  const entry = (path: string): JsonPath | undefined => {
    let found = paths.get(path);
    if (found === undefined && paths.size < limits.maxKeyPaths) {
      found = { path, types: {} };
      paths.set(path, found);
    }
    return found;
  };
  const note = (type: ValueType, path = pathOfNext()): void => {
    values[type]++;
    topLevel ??= type;
    const found = entry(path);
    if (found === undefined) unlistedPaths++;
    else found.types[type] = (found.types[type] ?? 0) + 1;
  };
  const open = (kind: 'object' | 'array'): void => {
    const path = pathOfNext();
    note(kind, path);
    stack.push({ kind, path, length: 0, key: '' });
    if (stack.length > depth) depth = stack.length;
    if (depth > limits.maxDepth) {
      failure = new Malformed(`nested deeper than ${limits.maxDepth}`);
      throw failure;
    }
  };
  const close = (): void => {
    const frame = stack.pop()!;
    if (frame.kind === 'array') {
      const found = paths.get(frame.path);
      if (found !== undefined) {
        const lengths = found.lengths;
        if (lengths === undefined) found.lengths = { min: frame.length, max: frame.length };
        else {
          if (frame.length < lengths.min) lengths.min = frame.length;
          if (frame.length > lengths.max) lengths.max = frame.length;
        }
      }
      if (stack.length === 0) length = frame.length;
    }
  };

  const tokens = parser.asStream({ packValues: false, streamValues: true });
  await pipeline(
    source,
    tokens,
    async (stream: AsyncIterable<{ name: string; value?: string }>) => {
      for await (const token of stream) {
        switch (token.name) {
          case 'startObject':
            open('object');
            break;
          case 'startArray':
            open('array');
            break;
          case 'endObject':
          case 'endArray':
            close();
            break;
          case 'startKey':
            inKey = true;
            key = '';
            break;
          case 'stringChunk':
            if (inKey && key.length < KEY_CHARS)
              key += token.value!.slice(0, KEY_CHARS - key.length);
            break;
          case 'endKey':
            inKey = false;
            stack[stack.length - 1]!.key = key;
            break;
          case 'startString':
            note('string');
            break;
          case 'startNumber':
            note('number');
            break;
          case 'trueValue':
          case 'falseValue':
            note('boolean');
            break;
          case 'nullValue':
            note('null');
            break;
        }
      }
    },
  ).catch((err: unknown) => {
    if (failure !== undefined) throw failure;
    throw new Malformed(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  });

  if (topLevel === undefined) throw new Malformed('the file is empty');
  const result: JsonResult = {
    topLevel,
    depth,
    values,
    paths: [...paths.values()],
    unlistedPaths,
  };
  if (length !== undefined) result.length = length;
  return { summary: summarise(result), result };
}

function summarise(result: JsonResult): string {
  const shape =
    result.length !== undefined
      ? `an array of ${result.length.toLocaleString('en-US')} items`
      : `a top-level ${result.topLevel}`;
  const listed = result.paths.length;
  const more = result.unlistedPaths > 0 ? '+' : '';
  return `JSON: ${shape}, depth ${result.depth}, ${listed}${more} key paths`;
}
