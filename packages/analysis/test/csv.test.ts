import { describe, expect, it } from 'vitest';
import type { ColumnSummary } from '../src/index.js';
import { analyse } from './support.js';

const typed = [
  'id,price,active,created,name,notes',
  '1,9.5,true,2024-01-02,Ada,',
  '2,10,false,2024-03-04T10:20:30Z,Bob,NULL',
  '3,-0.5,TRUE,2023-12-31,"Lovelace, Ada",n/a',
  '4,1e2,False,2024-02-29 08:00,Ada,   ',
  '',
].join('\n');

function column(result: Record<string, unknown>, name: string): ColumnSummary {
  const found = (result.columns as ColumnSummary[]).find((c) => c.name === name);
  if (!found) throw new Error(`no column ${name}`);
  return found;
}

describe('CSV analysis', () => {
  it('infers each column type and counts rows, nulls, empties and distinct values', async () => {
    const analysis = await analyse(typed, 'text/csv; charset=utf-8');
    expect(analysis.status).toBe('analysed');
    expect(analysis.kind).toBe('csv');
    expect(analysis.result.rows).toBe(4);
    expect(analysis.result.malformedRows).toBe(0);
    expect((analysis.result.columns as ColumnSummary[]).map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['price', 'decimal'],
      ['active', 'boolean'],
      ['created', 'datetime'],
      ['name', 'text'],
      ['notes', 'empty'],
    ]);
    expect(column(analysis.result, 'id')).toMatchObject({ min: 1, max: 4, mean: 2.5, distinct: 4 });
    expect(column(analysis.result, 'price')).toMatchObject({
      min: -0.5,
      max: 100,
      mean: 29.75,
      types: { integer: 1, decimal: 3, boolean: 0, datetime: 0, text: 0 },
    });
    expect(column(analysis.result, 'created')).toMatchObject({
      min: '2023-12-31',
      max: '2024-03-04T10:20:30Z',
    });
    expect(column(analysis.result, 'name')).toMatchObject({ distinct: 3, distinctExact: true });
    expect(column(analysis.result, 'notes')).toMatchObject({ empty: 2, nulls: 2, distinct: 0 });
    expect(analysis.summary).toBe(
      'CSV: 4 rows × 6 columns (id integer, price decimal, active boolean, created datetime, name text, notes empty)',
    );
  });

  it('calls a column mixing numbers and words text, and keeps no numeric statistics for it', async () => {
    const analysis = await analyse('code\n1\n2\nthree\n', 'text/csv');
    expect(column(analysis.result, 'code')).toMatchObject({
      type: 'text',
      types: { integer: 2, text: 1 },
    });
    expect(column(analysis.result, 'code').mean).toBeUndefined();
  });

  it('counts malformed rows with their line numbers and goes on past them', async () => {
    const body = ['a,b', '1,2', '3,4,5', '6,7', '8', '10,11', ''].join('\n');
    const analysis = await analyse(body, 'text/csv');
    expect(analysis.status).toBe('analysed');
    expect(analysis.result.rows).toBe(3);
    expect(analysis.result.malformedRows).toBe(2);
    expect(analysis.result.errors).toEqual([
      {
        line: 3,
        code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH',
        message: 'Invalid Record Length: expect 2, got 3 on line 3',
      },
      {
        line: 5,
        code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH',
        message: 'Invalid Record Length: expect 2, got 1 on line 5',
      },
    ]);
    expect(column(analysis.result, 'a')).toMatchObject({ min: 1, max: 10, mean: 17 / 3 });
    expect(analysis.summary).toMatch(/; 2 malformed rows$/);
  });

  it('reports a bad quote with its line number', async () => {
    const analysis = await analyse('a,b\n1,2\n3,2\n4,"x"y\n', 'text/csv');
    expect(analysis.result.rows).toBe(2);
    expect((analysis.result.errors as { line: number; code: string }[])[0]).toMatchObject({
      line: 4,
      code: 'CSV_INVALID_CLOSING_QUOTE',
    });
  });

  it('reports only the first few errors but counts them all', async () => {
    const body = `a,b\n${'1,2,3\n'.repeat(25)}1,2\n`;
    const analysis = await analyse(body, 'text/csv', { maxErrors: 2 });
    expect(analysis.result.malformedRows).toBe(25);
    expect((analysis.result.errors as { line: number }[]).map((e) => e.line)).toEqual([2, 3]);
  });

  it('reads tab-separated values for text/tab-separated-values', async () => {
    const analysis = await analyse('x\ty\n1\ta,b\n2\tc\n', 'text/tab-separated-values');
    expect(analysis.kind).toBe('tsv');
    expect(analysis.result.rows).toBe(2);
    expect(column(analysis.result, 'y')).toMatchObject({ type: 'text', distinct: 2 });
    expect(analysis.summary).toMatch(/^TSV: 2 rows × 2 columns/);
  });

  it('reads quotes in tab-separated values as data: TSV has no quoting', async () => {
    const analysis = await analyse(
      'size\tlabel\n5"\t"quoted\n7\ta "b" c\n',
      'text/tab-separated-values',
    );
    expect(analysis.result).toMatchObject({ rows: 2, malformedRows: 0 });
    expect(column(analysis.result, 'size')).toMatchObject({ type: 'text', distinct: 2 });
  });

  it('estimates distinct counts past the exact bound with a HyperLogLog, within 3 %', async () => {
    const n = 20_000;
    const lines = ['id,bucket'];
    for (let i = 0; i < n; i++) lines.push(`${i},${i % 7}`);
    const analysis = await analyse(`${lines.join('\n')}\n`, 'text/csv');
    const id = column(analysis.result, 'id');
    expect(id.distinctExact).toBe(false);
    expect(Math.abs(id.distinct - n) / n).toBeLessThan(0.03);
    expect(column(analysis.result, 'bucket')).toMatchObject({ distinct: 7, distinctExact: true });
  });

  it('estimates small counts past the exact bound with linear counting, within 3 %', async () => {
    const n = 3000;
    const lines = ['code'];
    for (let i = 0; i < n; i++) lines.push(`c${i}`, `c${i}`);
    const analysis = await analyse(`${lines.join('\n')}\n`, 'text/csv', { exactDistinct: 100 });
    const code = column(analysis.result, 'code');
    expect(code.distinctExact).toBe(false);
    expect(Math.abs(code.distinct - n) / n).toBeLessThan(0.03);
  });

  it('stops counting long values exactly once they pass 64 Ki characters', async () => {
    const lines = ['text'];
    for (let i = 0; i < 400; i++) lines.push(`${'v'.repeat(200)}${i}`);
    const analysis = await analyse(`${lines.join('\n')}\n`, 'text/csv');
    const text = column(analysis.result, 'text');
    expect(text.distinctExact).toBe(false);
    expect(Math.abs(text.distinct - 400) / 400).toBeLessThan(0.03);
    const fewer = await analyse(`${lines.slice(0, 301).join('\n')}\n`, 'text/csv');
    expect(column(fewer.result, 'text')).toMatchObject({ distinct: 300, distinctExact: true });
  });

  it('classifies a huge cell of digits ending in a letter without backtracking for ever', async () => {
    const analysis = await analyse(`n\n${'1'.repeat(300_000)}x\n1.5\n`, 'text/csv');
    expect(column(analysis.result, 'n')).toMatchObject({
      type: 'text',
      types: { decimal: 1, text: 1 },
    });
  });

  it('fails an empty file, a header-only file stays analysed with no rows', async () => {
    const empty = await analyse('', 'text/csv');
    expect(empty).toMatchObject({ status: 'failed', error: 'the file is empty' });
    const headerOnly = await analyse('a,b\n', 'text/csv');
    expect(headerOnly).toMatchObject({ status: 'analysed', result: { rows: 0 } });
  });

  it('fails, without buffering it, a record larger than the bound (an unclosed quote)', async () => {
    const body = `a,b\n1,"${'x'.repeat(5000)}\n2,3\n`;
    const analysis = await analyse(body, 'text/csv', { maxRecordBytes: 1024 });
    expect(analysis).toMatchObject({
      status: 'failed',
      error: 'a record is larger than 1024 bytes',
    });
    expect(analysis.summary).toBe('CSV could not be analysed: a record is larger than 1024 bytes');
  });

  it('fails a file with more columns than the bound', async () => {
    const analysis = await analyse('a,b,c\n1,2,3\n', 'text/csv', { maxColumns: 2 });
    expect(analysis).toMatchObject({
      status: 'failed',
      error: '3 columns, more than the 2 analysed',
    });
  });

  it('fails a file whose every row is malformed', async () => {
    const analysis = await analyse('a,b\n1\n2\n', 'text/csv');
    expect(analysis.status).toBe('failed');
    expect(analysis.error).toMatch(/^no readable row: 2 malformed/);
  });
});
