import type { Readable } from 'node:stream';
import { parseStream } from 'music-metadata';
import { Malformed } from './errors.js';
import type { Analysis } from './types.js';

export interface AudioResult extends Record<string, unknown> {
  /** The container (`WAVE`, `MPEG`, `FLAC`, `Ogg`…) and the codec inside it. */
  container?: string;
  codec?: string;
  lossless?: boolean;
  /** Seconds. */
  duration?: number;
  /** Bits per second. */
  bitrate?: number;
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
  /** Title, artist and album from the tags, when there are any. */
  tags: { title?: string; artist?: string; album?: string };
}

/**
 * music-metadata reads the stream once (to its end only where the duration needs it, as in an
 * MPEG stream without a Xing header), holding one frame at a time; cover pictures are skipped.
 */
export async function analyseAudio(
  source: Readable,
  contentType: string,
  size: number,
): Promise<Analysis> {
  let metadata: Awaited<ReturnType<typeof parseStream>>;
  try {
    metadata = await parseStream(
      source,
      { mimeType: contentType.split(';', 1)[0]!.trim(), size },
      { duration: true, skipCovers: true },
    );
  } catch (err) {
    throw new Malformed(`not readable audio: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { format, common } = metadata;
  if (format.sampleRate === undefined && format.duration === undefined) {
    throw new Malformed('no audio stream found');
  }
  const result: AudioResult = { tags: {} };
  if (format.container !== undefined) result.container = format.container;
  if (format.codec !== undefined) result.codec = format.codec;
  if (format.lossless !== undefined) result.lossless = format.lossless;
  if (format.duration !== undefined) result.duration = format.duration;
  if (format.bitrate !== undefined) result.bitrate = Math.round(format.bitrate);
  if (format.sampleRate !== undefined) result.sampleRate = format.sampleRate;
  if (format.numberOfChannels !== undefined) result.channels = format.numberOfChannels;
  if (format.bitsPerSample !== undefined) result.bitsPerSample = format.bitsPerSample;
  if (common.title) result.tags.title = common.title;
  if (common.artist) result.tags.artist = common.artist;
  if (common.album) result.tags.album = common.album;
  return { summary: summarise(result), result };
}

function summarise(result: AudioResult): string {
  const parts = [`Audio: ${[result.container, result.codec].filter(Boolean).join(' / ')}`];
  if (result.duration !== undefined) parts.push(`${result.duration.toFixed(1)} s`);
  if (result.sampleRate !== undefined) parts.push(`${result.sampleRate} Hz`);
  if (result.channels !== undefined) parts.push(`${result.channels} ch`);
  if (result.bitrate !== undefined) parts.push(`${Math.round(result.bitrate / 1000)} kbit/s`);
  return parts.join(', ');
}
