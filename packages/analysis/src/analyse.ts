import { PassThrough, type Readable } from 'node:stream';
import { analyseCsv } from './csv.js';
import { SourceError, UnsupportedType } from './errors.js';
import { analyseImage } from './image.js';
import { analyseJson } from './json.js';
import { analysisKindOf } from './kinds.js';
import {
  type AnalyseFileInput,
  type Analysis,
  type AnalysisKind,
  type AnalysisLimits,
  type AnalysisResult,
  defaultLimits,
} from './types.js';
import { analyseXml } from './xml.js';

const analysers: Record<
  AnalysisKind,
  ((source: Readable, limits: AnalysisLimits) => Promise<Analysis>) | undefined
> = {
  csv: (source, limits) => analyseCsv(source, ',', limits),
  tsv: (source, limits) => analyseCsv(source, '\t', limits),
  json: analyseJson,
  xml: analyseXml,
  image: analyseImage,
  audio: undefined,
};

const labels: Record<AnalysisKind, string> = {
  csv: 'CSV',
  tsv: 'TSV',
  json: 'JSON',
  xml: 'XML',
  image: 'Image',
  audio: 'Audio',
};

/**
 * Analyses one stored file, streamed. Input the analyser cannot read answers `failed` with a
 * reason; it never rejects for the file's content. It rejects with `SourceError` when reading
 * the bytes fails (retry later) and with `UnsupportedType` for a type it has no analyser for.
 */
export async function analyseFile(input: AnalyseFileInput): Promise<AnalysisResult> {
  const kind = analysisKindOf(input.contentType);
  const analyser = kind && analysers[kind];
  if (kind === undefined || analyser === undefined) throw new UnsupportedType(input.contentType);
  const limits: AnalysisLimits = { ...defaultLimits, ...input.limits };

  let source: Readable;
  try {
    source = input.open();
  } catch (err) {
    throw new SourceError(err);
  }
  // The analyser reads a pass-through, so that its own errors (which a pipeline sends upstream
  // by destroying the source with them) are never mistaken for a failure to read the bytes.
  let sourceFailure: unknown;
  const guarded = new PassThrough({ readableHighWaterMark: 64 * 1024 });
  source.on('error', (err) => {
    sourceFailure ??= err;
    guarded.destroy(err);
  });
  source.pipe(guarded);

  try {
    const { summary, result } = await analyser(guarded, limits);
    return { kind, status: 'analysed', summary, result };
  } catch (err) {
    if (sourceFailure !== undefined) throw new SourceError(sourceFailure);
    const reason = err instanceof Error ? err.message : String(err);
    return {
      kind,
      status: 'failed',
      summary: `${labels[kind]} could not be analysed: ${reason}`,
      result: {},
      error: reason,
    };
  } finally {
    source.unpipe(guarded);
    source.destroy();
  }
}
