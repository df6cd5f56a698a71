import type { Readable } from 'node:stream';
import { type FileTypeResult, fileTypeStream } from 'file-type';

// What the bytes may be for each declared type. Declared types are compared as families: a PNG
// declared as image/jpeg is still an image the analysers read, but ZIP or ELF bytes are not.
// Text formats have no magic number: they pass when file-type finds nothing (or XML, for XML),
// and are refused when it finds any binary format (FACTS: file-type does not detect text).
const IMAGES = new Set(['png', 'jpg', 'gif', 'webp']);
const AUDIO = new Set(['mp3', 'wav', 'flac', 'ogg', 'oga', 'opus']);
const TEXT = new Set<string>();
const XML = new Set(['xml']);

const FAMILIES: Record<string, ReadonlySet<string>> = {
  'image/png': IMAGES,
  'image/jpeg': IMAGES,
  'image/gif': IMAGES,
  'image/webp': IMAGES,
  'audio/mpeg': AUDIO,
  'audio/mp3': AUDIO,
  'audio/wav': AUDIO,
  'audio/x-wav': AUDIO,
  'audio/wave': AUDIO,
  'audio/flac': AUDIO,
  'audio/x-flac': AUDIO,
  'audio/ogg': AUDIO,
  'text/csv': TEXT,
  'application/csv': TEXT,
  'text/tab-separated-values': TEXT,
  'application/json': TEXT,
  'text/json': TEXT,
  'text/plain': TEXT,
  'application/xml': XML,
  'text/xml': XML,
};

const isTextual = (type: string) =>
  type.startsWith('text/') || type.endsWith('+json') || type.endsWith('+xml');

export type TypeVerdict = { ok: true } | { ok: false; detail: string };

/** Whether bytes sniffed as `found` (undefined: no magic number) may be a `declared` file. */
export function checkType(declared: string, found: FileTypeResult | undefined): TypeVerdict {
  const type = declared.toLowerCase();
  const family =
    FAMILIES[type] ?? (isTextual(type) ? (type.endsWith('xml') ? XML : TEXT) : undefined);
  if (family === TEXT || family === XML) {
    if (!found || family.has(found.ext)) return { ok: true };
    return { ok: false, detail: `declared ${type}, but the bytes are ${found.mime}` };
  }
  // A binary type must be recognised: "nothing found" is not a match (FACTS).
  if (!found) return { ok: false, detail: `declared ${type}, but the bytes are of no known type` };
  if (family ? family.has(found.ext) : found.mime === type) return { ok: true };
  return { ok: false, detail: `declared ${type}, but the bytes are ${found.mime}` };
}

/**
 * The stored bytes with their sniffed type: file-type reads the first 4 KiB as they pass, so the
 * same stream goes on to clamd and the object is read once.
 */
export async function sniffed(body: Readable): Promise<Readable & { fileType?: FileTypeResult }> {
  return fileTypeStream(body);
}
