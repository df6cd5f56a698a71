export { analyseFile } from './analyse.js';
export { type ColumnSummary, type ColumnType, ColumnTypes } from './columns.js';
export type { CsvResult } from './csv.js';
export { Malformed, SourceError, UnsupportedType } from './errors.js';
export { analysisKindOf } from './kinds.js';
export {
  type AnalyseFileInput,
  type AnalysisKind,
  AnalysisKinds,
  type AnalysisLimits,
  type AnalysisResult,
  defaultLimits,
} from './types.js';
