import { describe, expect, it } from 'vitest';
import { analyse } from './support.js';

const doc = {
  users: [
    { id: 1, name: 'Ada', tags: ['a', 'b'], manager: null },
    { id: 2, name: 'Bob', tags: [], manager: 1, active: true },
    { id: 3.5, name: null, tags: ['c'] },
  ],
  meta: { total: 3, source: { system: 'crm' } },
};

describe('JSON analysis', () => {
  it('reports the top-level shape, depth, key paths with types and counts, and array lengths', async () => {
    const analysis = await analyse(JSON.stringify(doc), 'application/json');
    expect(analysis.status).toBe('analysed');
    expect(analysis.kind).toBe('json');
    expect(analysis.result).toEqual({
      topLevel: 'object',
      depth: 4,
      values: { object: 6, array: 4, string: 6, number: 5, boolean: 1, null: 2 },
      paths: [
        { path: '$', types: { object: 1 } },
        { path: '$.users', types: { array: 1 }, lengths: { min: 3, max: 3 } },
        { path: '$.users[]', types: { object: 3 } },
        { path: '$.users[].id', types: { number: 3 } },
        { path: '$.users[].name', types: { string: 2, null: 1 } },
        { path: '$.users[].tags', types: { array: 3 }, lengths: { min: 0, max: 2 } },
        { path: '$.users[].tags[]', types: { string: 3 } },
        { path: '$.users[].manager', types: { null: 1, number: 1 } },
        { path: '$.users[].active', types: { boolean: 1 } },
        { path: '$.meta', types: { object: 1 } },
        { path: '$.meta.total', types: { number: 1 } },
        { path: '$.meta.source', types: { object: 1 } },
        { path: '$.meta.source.system', types: { string: 1 } },
      ],
      unlistedPaths: 0,
    });
    expect(analysis.summary).toBe('JSON: a top-level object, depth 4, 13 key paths');
  });

  it('gives the length of a top-level array', async () => {
    const analysis = await analyse('[1, 2, [3], {"a": "x"}]', 'application/json');
    expect(analysis.result).toMatchObject({ topLevel: 'array', length: 4, depth: 2 });
    expect(analysis.summary).toBe('JSON: an array of 4 items, depth 2, 4 key paths');
  });

  it('counts paths past the bound without listing them', async () => {
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    const analysis = await analyse(JSON.stringify(wide), 'application/json', { maxKeyPaths: 4 });
    expect((analysis.result.paths as unknown[]).length).toBe(4);
    expect(analysis.result.unlistedPaths).toBe(7);
    expect(analysis.summary).toBe('JSON: a top-level object, depth 1, 4+ key paths');
  });

  it('keeps only the start of a huge key and never holds a huge string', async () => {
    const body = `{"${'k'.repeat(100_000)}": "${'v'.repeat(1_000_000)}"}`;
    const analysis = await analyse(body, 'application/json');
    expect(analysis.result.paths).toEqual([
      { path: '$', types: { object: 1 } },
      { path: `$.${'k'.repeat(100)}`, types: { string: 1 } },
    ]);
  });

  it('fails invalid JSON with the parser’s reason', async () => {
    const analysis = await analyse('{"a": 1,, }', 'application/json');
    expect(analysis.status).toBe('failed');
    expect(analysis.error).toMatch(/^not valid JSON: /);
  });

  it('fails a truncated document, an empty file and a second top-level value', async () => {
    expect((await analyse('{"a": [1, 2', 'application/json')).status).toBe('failed');
    expect(await analyse('', 'application/json')).toMatchObject({
      status: 'failed',
      error: 'not valid JSON: Parser has expected a value',
    });
    expect((await analyse('{} {}', 'application/json')).status).toBe('failed');
  });

  it('fails nesting deeper than the bound, before reading on', async () => {
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
    expect(await analyse(deep, 'application/json')).toMatchObject({
      status: 'failed',
      error: 'nested deeper than 256',
    });
    expect((await analyse(deep, 'application/json', { maxDepth: 300 })).status).toBe('analysed');
  });
});
