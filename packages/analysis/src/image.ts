import type { Readable } from 'node:stream';
import exifr from 'exifr';
import { imageSize } from 'image-size';
import sharp from 'sharp';
import { Malformed } from './errors.js';
import type { Analysis, AnalysisLimits } from './types.js';

export interface ImageResult extends Record<string, unknown> {
  format: string;
  width: number;
  height: number;
  /** Frames of an animated GIF or WebP, when more than one. */
  pages?: number;
  /** libvips' interpretation: `srgb`, `b-w`, `cmyk`, `rgb16`…; absent when only the size was read. */
  space?: string;
  channels?: number;
  hasAlpha?: boolean;
  /** Pixels per inch. */
  density?: number;
  /** EXIF orientation (1–8). */
  orientation?: number;
  /** What EXIF says; the coordinates themselves are not kept, only whether they are there. */
  exif: { camera?: string; takenAt?: string; gps: boolean } | null;
}

/**
 * Headers and EXIF sit at the start of a file: only the first HEAD_BYTES are read, whatever the
 * image's size, and no pixel is decoded. The dimensions come first from image-size (plain header
 * parsing) and are held to `maxPixels` before libvips sees anything, so a decompression bomb is
 * refused on its declared size.
 */
const HEAD_BYTES = 1024 * 1024;

export async function analyseImage(source: Readable, limits: AnalysisLimits): Promise<Analysis> {
  const head = await readHead(source, HEAD_BYTES);
  if (head.length === 0) throw new Malformed('the file is empty');

  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(head);
  } catch (err) {
    throw new Malformed(
      `not a readable image: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const { width, height } = size;
  const pixels = width * height * Math.max(1, size.images?.length ?? 1);
  if (pixels > limits.maxPixels) {
    throw new Malformed(
      `${width} × ${height} pixels is more than the ${limits.maxPixels.toLocaleString('en-US')} analysed`,
    );
  }

  const result: ImageResult = { format: size.type ?? 'unknown', width, height, exif: null };
  // libvips reads headers only (metadata() decodes nothing); a header cut by HEAD_BYTES (a large
  // WebP) leaves the size from image-size alone.
  const meta = await sharp(head, { failOn: 'none', limitInputPixels: limits.maxPixels })
    .metadata()
    .catch(() => undefined);
  if (meta !== undefined) {
    result.format = meta.format ?? result.format;
    if (meta.pages !== undefined && meta.pages > 1) result.pages = meta.pages;
    result.space = meta.space;
    result.channels = meta.channels;
    result.hasAlpha = meta.hasAlpha;
    if (meta.density !== undefined) result.density = meta.density;
    if (meta.orientation !== undefined) result.orientation = meta.orientation;
  }
  result.exif = await readExif(head);
  return { summary: summarise(result), result };
}

async function readHead(source: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= max) break;
  }
  return Buffer.concat(chunks, Math.min(length, max));
}

async function readExif(head: Buffer): Promise<ImageResult['exif']> {
  // exifr reads JPEG, PNG, TIFF and HEIC; GIF and WebP have none it can read: that is no EXIF.
  const tags: Record<string, unknown> | undefined = await exifr
    .parse(head, {
      ifd1: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      makerNote: false,
      userComment: false,
      reviveValues: false,
    })
    .catch(() => undefined);
  if (tags === undefined) return null;
  const exif: NonNullable<ImageResult['exif']> = { gps: tags.GPSLatitude !== undefined };
  const camera = [tags.Make, tags.Model].filter((s) => typeof s === 'string' && s.trim() !== '');
  if (camera.length > 0) exif.camera = camera.join(' ').trim();
  const taken = tags.DateTimeOriginal ?? tags.CreateDate;
  if (typeof taken === 'string') exif.takenAt = isoLocal(taken, tags.OffsetTimeOriginal);
  return exif;
}

/** EXIF's `2024:05:01 10:20:30` is the camera's local time; its offset is a separate tag. */
function isoLocal(value: string, offset: unknown): string {
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value);
  if (m === null) return value.trim();
  const zone = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`;
}

function summarise(result: ImageResult): string {
  const parts = [`Image: ${result.format.toUpperCase()} ${result.width} × ${result.height}`];
  if (result.space !== undefined) parts.push(result.space);
  if (result.exif?.camera !== undefined) parts.push(`camera ${result.exif.camera}`);
  if (result.exif?.takenAt !== undefined) parts.push(`taken ${result.exif.takenAt}`);
  if (result.exif?.gps) parts.push('GPS position present');
  return parts.join(', ');
}
