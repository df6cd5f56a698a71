import { Readable } from 'node:stream';
import { type AnalysisLimits, analyseFile } from '../src/index.js';

/** Analyses bytes held in memory, as the worker would analyse a stored object. */
export function analyse(
  body: string | Buffer,
  contentType: string,
  limits?: Partial<AnalysisLimits>,
) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return analyseFile({
    open: () => Readable.from(chunks(bytes, Math.max(7, Math.ceil(bytes.length / 50)))),
    contentType,
    size: bytes.length,
    limits,
  });
}

/**
 * Small chunks, one per turn of the event loop (so that nothing joins them on the way), so that
 * every analyser sees values, lines and tags cut across chunk borders.
 */
async function* chunks(bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) {
    yield bytes.subarray(i, i + size);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
