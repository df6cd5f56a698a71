import type { Readable } from 'node:stream';

export const AnalysisKinds = ['csv', 'tsv', 'json', 'xml', 'image', 'audio'] as const;
export type AnalysisKind = (typeof AnalysisKinds)[number];

/** Bounds that keep one analysis in constant memory and time whatever the file holds. */
export interface AnalysisLimits {
  /** Malformed CSV rows (and other errors) reported with their line numbers; the rest are counted. */
  maxErrors: number;
  /** CSV: more columns than this is refused (each column keeps a few KiB of statistics). */
  maxColumns: number;
  /** CSV: one record larger than this (an unclosed quote, a binary file) fails the analysis. */
  maxRecordBytes: number;
  /** CSV: distinct values kept exactly per column before switching to a HyperLogLog estimate. */
  exactDistinct: number;
  /** JSON: distinct key paths reported; further paths are counted, not listed. */
  maxKeyPaths: number;
  /** JSON and XML: nesting deeper than this fails the analysis. */
  maxDepth: number;
  /** XML: distinct element names and attribute names reported. */
  maxNames: number;
  /** Images: width × height above this fails (decompression bombs). */
  maxPixels: number;
}

export const defaultLimits: AnalysisLimits = {
  maxErrors: 10,
  maxColumns: 1000,
  maxRecordBytes: 1024 * 1024,
  exactDistinct: 1000,
  maxKeyPaths: 500,
  maxDepth: 256,
  maxNames: 500,
  maxPixels: 100_000_000,
};

export interface AnalyseFileInput {
  /** Opens the stored bytes; called once. A read error rejects with `SourceError` (retry). */
  open: () => Readable;
  /** The declared (and sniffed) type, e.g. `text/csv`; parameters such as `charset` are ignored. */
  contentType: string;
  /** The stored size in bytes. */
  size: number;
  limits?: Partial<AnalysisLimits>;
}

export interface AnalysisResult {
  kind: AnalysisKind;
  status: 'analysed' | 'failed';
  /** One line for lists, emails and CRM notes. */
  summary: string;
  /** The kind's full figures (see the README); what was learnt before a failure, when failed. */
  result: Record<string, unknown>;
  /** Why the analysis failed, in words fit for the uploader. */
  error?: string;
}

/** What one analyser returns; it throws `Malformed` (or any error) for input it cannot read. */
export interface Analysis {
  summary: string;
  result: Record<string, unknown>;
}
