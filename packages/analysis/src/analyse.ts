import { PassThrough, type Readable } from 'node:stream';
import { analyseAudio } from './audio.js';
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

type Analyser = (
  source: Readable,
  limits: AnalysisLimits,
  input: AnalyseFileInput,
) => Promise<Analysis>;

const analysers: Record<AnalysisKind, Analyser> = {
  csv: (source, limits) => analyseCsv(source, ',', limits),
  tsv: (source, limits) => analyseCsv(source, '\t', limits),
  json: analyseJson,
  xml: analyseXml,
  image: analyseImage,
  audio: (source, _limits, input) => analyseAudio(source, input.contentType, input.size),
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
  if (kind === undefined) throw new UnsupportedType(input.contentType);
  const analyser = analysers[kind];
  const limits: AnalysisLimits = { ...defaultLimits };
  for (const [name, value] of Object.entries(input.limits ?? {})) {
    if (value !== undefined) limits[name as keyof AnalysisLimits] = value;
  }

  let source: Readable;
  try {
    source = input.open();
  } catch (err) {
    throw new SourceError(err);
  }
  // The analyser reads a pass-through, so that its own errors (which a pipeline sends upstream
  // by destroying the source with them) are never mistaken for a failure to read the bytes.
  // Its 1 MiB buffer lets the next reads run while a chunk is parsed: with the default 16 KiB
  // the source paused on every 64 KiB chunk, which cost the CSV benchmark half its wall time.
  let sourceFailure: unknown;
  const guarded = new PassThrough({ highWaterMark: 1024 * 1024 });
  source.on('error', (err) => {
    sourceFailure ??= err;
    guarded.destroy(err);
  });
  source.pipe(guarded);

  try {
    const { summary, result } = await analyser(guarded, limits, input);
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
