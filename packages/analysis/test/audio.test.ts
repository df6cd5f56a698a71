import { describe, expect, it } from 'vitest';
import { analyse } from './support.js';

/** A PCM WAV file: 44-byte RIFF header and a sine tone. */
function wav({
  seconds,
  sampleRate,
  channels,
}: {
  seconds: number;
  sampleRate: number;
  channels: number;
}) {
  const bytesPerSample = 2;
  const frames = Math.round(seconds * sampleRate);
  const dataBytes = frames * channels * bytesPerSample;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * bytesPerSample, 28);
  buf.writeUInt16LE(channels * bytesPerSample, 32);
  buf.writeUInt16LE(bytesPerSample * 8, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < frames; i++) {
    const sample = Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 10_000);
    for (let c = 0; c < channels; c++) buf.writeInt16LE(sample, 44 + (i * channels + c) * 2);
  }
  return buf;
}

describe('audio analysis', () => {
  it('reads a WAV’s format, codec, duration, bitrate, sample rate and channels', async () => {
    const analysis = await analyse(
      wav({ seconds: 1.5, sampleRate: 8000, channels: 2 }),
      'audio/wav',
    );
    expect(analysis).toMatchObject({ kind: 'audio', status: 'analysed' });
    expect(analysis.result).toEqual({
      container: 'WAVE',
      codec: 'PCM',
      lossless: true,
      duration: 1.5,
      bitrate: 256_000,
      sampleRate: 8000,
      channels: 2,
      bitsPerSample: 16,
      tags: {},
    });
    expect(analysis.summary).toBe('Audio: WAVE / PCM, 1.5 s, 8000 Hz, 2 ch, 256 kbit/s');
  });

  it('reads a mono WAV under its x-wav name', async () => {
    const analysis = await analyse(
      wav({ seconds: 0.25, sampleRate: 16000, channels: 1 }),
      'audio/x-wav',
    );
    expect(analysis.result).toMatchObject({ duration: 0.25, sampleRate: 16000, channels: 1 });
  });

  it('fails bytes that are not audio', async () => {
    for (const type of ['audio/wav', 'audio/mpeg', 'audio/flac', 'audio/ogg']) {
      const analysis = await analyse(Buffer.alloc(5000, 7), type);
      expect(analysis.status).toBe('failed');
      expect(analysis.error).toMatch(/^(not readable audio: .+|no audio stream found)$/);
    }
  });

  it('fails a WAV cut inside its header', async () => {
    const analysis = await analyse(
      wav({ seconds: 0.1, sampleRate: 8000, channels: 1 }).subarray(0, 30),
      'audio/wav',
    );
    expect(analysis.status).toBe('failed');
  });
});
