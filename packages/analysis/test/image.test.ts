import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyse } from './support.js';

function noise(width: number, height: number) {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919) % 251;
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

/** A valid PNG whose header then claims other dimensions (the CRC recomputed to match). */
async function pngClaiming(width: number, height: number) {
  const png = await sharp({
    create: { width: 1, height: 1, channels: 3, background: '#000' },
  })
    .png()
    .toBuffer();
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), … CRC after 13 data bytes.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('image analysis', () => {
  it('reads a JPEG’s format, size, colour space and EXIF camera, time and GPS presence', async () => {
    const jpeg = await noise(64, 48)
      .jpeg()
      .withExif({
        IFD0: { Make: 'Atrium', Model: 'TestCam 1' },
        IFD2: { DateTimeOriginal: '2024:05:01 10:20:30', OffsetTimeOriginal: '+02:00' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
      })
      .toBuffer();
    const analysis = await analyse(jpeg, 'image/jpeg');
    expect(analysis).toMatchObject({ kind: 'image', status: 'analysed' });
    expect(analysis.result).toEqual({
      format: 'jpeg',
      width: 64,
      height: 48,
      space: 'srgb',
      channels: 3,
      hasAlpha: false,
      orientation: 1,
      exif: { camera: 'Atrium TestCam 1', takenAt: '2024-05-01T10:20:30+02:00', gps: true },
    });
    expect(analysis.summary).toBe(
      'Image: JPEG 64 × 48, srgb, camera Atrium TestCam 1, taken 2024-05-01T10:20:30+02:00, GPS position present',
    );
    expect(JSON.stringify(analysis)).not.toContain('51');
  });

  it('reads a PNG with an alpha channel and no EXIF', async () => {
    const png = await sharp({
      create: { width: 30, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const analysis = await analyse(png, 'image/png');
    expect(analysis.result).toMatchObject({
      format: 'png',
      width: 30,
      height: 20,
      space: 'srgb',
      channels: 4,
      hasAlpha: true,
    });
    expect(analysis.result.exif).toBeNull();
    expect(analysis.summary).toBe('Image: PNG 30 × 20, srgb');
  });

  it('reads a greyscale GIF and a WebP', async () => {
    const gif = await noise(16, 8).greyscale().gif().toBuffer();
    expect((await analyse(gif, 'image/gif')).result).toMatchObject({
      format: 'gif',
      width: 16,
      height: 8,
    });
    const webp = await noise(40, 10).webp().toBuffer();
    expect((await analyse(webp, 'image/webp')).result).toMatchObject({
      format: 'webp',
      width: 40,
      height: 10,
      space: 'srgb',
    });
  });

  it('reads only the head of a large image and still gives its size', async () => {
    const raw = randomBytes(800 * 600 * 3);
    const big = await sharp(raw, { raw: { width: 800, height: 600, channels: 3 } })
      .webp({ lossless: true })
      .toBuffer();
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const analysis = await analyse(big, 'image/webp');
    expect(analysis).toMatchObject({
      status: 'analysed',
      result: { format: 'webp', width: 800, height: 600 },
    });
    // libvips cannot read a WebP header cut short: the size is image-size's alone.
    expect(analysis.result.space).toBeUndefined();
  });

  it('fails a decompression bomb on its declared size, without decoding it', async () => {
    const bomb = await pngClaiming(100_000, 100_000);
    const analysis = await analyse(bomb, 'image/png');
    expect(analysis).toMatchObject({
      status: 'failed',
      error: '100000 × 100000 pixels is more than the 100,000,000 analysed',
    });
    const small = await analyse(await pngClaiming(5000, 5000), 'image/png', { maxPixels: 1000 });
    expect(small.status).toBe('failed');
  });

  it('fails bytes that are not an image, and an empty file', async () => {
    const analysis = await analyse('this is not a picture at all', 'image/png');
    expect(analysis.status).toBe('failed');
    expect(analysis.error).toMatch(/^not a readable image: /);
    expect(await analyse('', 'image/jpeg')).toMatchObject({
      status: 'failed',
      error: 'the file is empty',
    });
  });
});
