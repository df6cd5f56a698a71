import { Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { csvDownload } from '../src/csv.js';

async function* from(batches: unknown[][][], failAfter?: number) {
  let served = 0;
  for (const batch of batches) {
    if (served++ === failAfter) throw new Error('the database went away');
    yield batch;
  }
}

describe('csvDownload', () => {
  it('writes the header once, then every batch in order, quoted and formula-safe', async () => {
    const body = await text(
      csvDownload(
        ['a', 'b'],
        from([
          [
            [1, 'x,y'],
            [2, '=SUM(A1)'],
          ],
          [],
          [[3, 'say "hi"\nthere']],
        ]),
      ),
    );
    expect(body).toBe('a,b\n1,"x,y"\n2,\'=SUM(A1)\n3,"say ""hi""\nthere"\n');
  });

  it('is the header alone when there are no rows', async () => {
    expect(await text(csvDownload(['a', 'b'], from([[]])))).toBe('a,b\n');
  });

  it('reads no further than a batch ahead of a client that stopped taking them', async () => {
    let read = 0;
    async function* counted() {
      for (let i = 0; i < 5; i++) {
        read++;
        yield [[i, 'x'.repeat(10_000)]];
      }
    }
    // A client that took the first chunk and never finished writing it.
    const stuck = new Writable({ highWaterMark: 1, write: () => {} });
    csvDownload(['n', 'pad'], counted()).pipe(stuck);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(read).toBeLessThanOrEqual(2);
    stuck.destroy();
  });

  it('fails the stream when a batch cannot be read, after what was sent', async () => {
    const stream = csvDownload(['a'], from([[[1]], [[2]]], 1));
    await expect(text(stream)).rejects.toThrow('the database went away');
  });
});
