export { analyseFile } from './analyse.js';
export type { AudioResult } from './audio.js';
export { type ColumnSummary, type ColumnType, ColumnTypes } from './columns.js';
export type { CsvResult } from './csv.js';
export { Malformed, SourceError, UnsupportedType } from './errors.js';
export type { ImageResult } from './image.js';
export type { JsonPath, JsonResult } from './json.js';
export { analysisKindOf } from './kinds.js';
export {
  type AnalyseFileInput,
  type AnalysisKind,
  AnalysisKinds,
  type AnalysisLimits,
  type AnalysisResult,
  defaultLimits,
} from './types.js';
export type { XmlResult } from './xml.js';
