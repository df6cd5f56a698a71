import type { AnalysisKind } from './types.js';

const kinds: Record<string, AnalysisKind> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'application/json': 'json',
  'text/json': 'json',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'audio/mpeg': 'audio',
  'audio/mp3': 'audio',
  'audio/wav': 'audio',
  'audio/x-wav': 'audio',
  'audio/wave': 'audio',
  'audio/flac': 'audio',
  'audio/x-flac': 'audio',
  'audio/ogg': 'audio',
};

/** The analyser for a content type (parameters and case ignored), or undefined when none. */
export function analysisKindOf(contentType: string): AnalysisKind | undefined {
  const bare = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return kinds[bare];
}
