import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyseFile, analysisKindOf, SourceError, UnsupportedType } from '../src/index.js';

/** A long stream that starts with `head` and goes on with `filler` for many chunks. */
function long(head: string, filler: string, chunks = 2000) {
  let sent = 0;
  return new Readable({
    read() {
      this.push(sent === 0 ? head : filler);
      if (++sent > chunks) this.push(null);
    },
  });
}

describe('analyseFile', () => {
  it('answers failed, not SourceError, to bad content found while the source still streams', async () => {
    const cases = [
      { contentType: 'application/json', open: () => long('{"a": 1,, ', ' '.repeat(1024)) },
      { contentType: 'application/xml', open: () => long('<a></b>', ' '.repeat(1024)) },
      {
        contentType: 'text/csv',
        open: () => long(`a,b\n1,"${'x'.repeat(100)}`, 'x'.repeat(1024)),
      },
    ];
    for (const { contentType, open } of cases) {
      const analysis = await analyseFile({
        open,
        contentType,
        size: 2_000_000,
        limits: { maxRecordBytes: 10_000 },
      });
      expect(analysis.status, contentType).toBe('failed');
    }
  });

  it('rejects with SourceError when the bytes cannot be read, so the job retries', async () => {
    for (const contentType of [
      'text/csv',
      'application/json',
      'application/xml',
      'image/png',
      'audio/wav',
    ]) {
      const broken = new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
      await expect(
        analyseFile({ open: () => broken, contentType, size: 100 }),
        contentType,
      ).rejects.toBeInstanceOf(SourceError);
    }
    await expect(
      analyseFile({
        open: () => {
          throw new Error('no such object');
        },
        contentType: 'text/csv',
        size: 1,
      }),
    ).rejects.toThrow('reading the file failed: no such object');
  });

  it('rejects with UnsupportedType for a type it has no analyser for', async () => {
    await expect(
      analyseFile({ open: () => Readable.from([]), contentType: 'application/zip', size: 0 }),
    ).rejects.toBeInstanceOf(UnsupportedType);
  });

  it('takes the default for a limit given as undefined', async () => {
    const analysis = await analyseFile({
      open: () => Readable.from([Buffer.from('a\n1\n2,3\n')]),
      contentType: 'text/csv',
      size: 8,
      limits: { maxErrors: undefined as unknown as number },
    });
    expect(analysis.result.errors).toHaveLength(1);
  });

  it('maps content types to kinds, parameters and case ignored', () => {
    expect(analysisKindOf('Text/CSV; charset=utf-8')).toBe('csv');
    expect(analysisKindOf('text/tab-separated-values')).toBe('tsv');
    expect(analysisKindOf('image/webp')).toBe('image');
    expect(analysisKindOf('audio/x-wav')).toBe('audio');
    expect(analysisKindOf('application/pdf')).toBeUndefined();
  });
});
