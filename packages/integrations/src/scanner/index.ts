export { IntegrationError } from '../errors.js';
export { type ClamdOptions, clamdScanner, parseScanReply } from './clamd.js';
export { ScanFailed, type Scanner, ScannerUnavailable, type ScanResult } from './types.js';
