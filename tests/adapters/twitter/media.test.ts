import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { ImageSkipped, loadTweetImage, MAX_IMAGE_BYTES, toTweetImage } from '../../../adapters/twitter/media.js';

const noise = (width: number, height: number, channels: 3 | 4) => sharp(randomBytes(width * height * channels), { raw: { width, height, channels } });

describe('tweet images', () => {
  it('should keep a small JPEG or PNG as it is', async () => {
    const jpeg = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#ff0000' } }).jpeg().toBuffer();
    const kept = await toTweetImage(jpeg);
    expect(kept.mime).toBe('image/jpeg');
    expect(kept.buffer.equals(jpeg)).toBe(true);
    const png = await sharp({ create: { width: 20, height: 10, channels: 4, background: '#00ff0080' } }).png().toBuffer();
    expect((await toTweetImage(png)).buffer.equals(png)).toBe(true);
  });

  it('should convert other formats to JPEG', async () => {
    const webp = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#0000ff' } }).webp().toBuffer();
    const converted = await toTweetImage(webp);
    expect(converted.mime).toBe('image/jpeg');
    expect(await sharp(converted.buffer).metadata()).toMatchObject({ format: 'jpeg', width: 30, height: 20 });
  });

  it('should bring an image over 5 MB under it, keeping transparency as PNG', async () => {
    const big = await noise(1400, 1400, 4).png({ compressionLevel: 0 }).toBuffer();
    expect(big.length).toBeGreaterThan(MAX_IMAGE_BYTES);
    const small = await toTweetImage(big);
    expect(small.mime).toBe('image/png');
    expect(small.buffer.length).toBeLessThanOrEqual(MAX_IMAGE_BYTES);

    const bigJpeg = await noise(2600, 2600, 3).jpeg({ quality: 100 }).toBuffer();
    expect(bigJpeg.length).toBeGreaterThan(MAX_IMAGE_BYTES);
    const smallJpeg = await toTweetImage(bigJpeg);
    expect(smallJpeg.mime).toBe('image/jpeg');
    expect(smallJpeg.buffer.length).toBeLessThanOrEqual(MAX_IMAGE_BYTES);
  });

  it('should refuse bytes that are not an image', async () => {
    await expect(toTweetImage(Buffer.from('<html>not an image</html>'))).rejects.toThrow();
  });

  it('should skip, with the reason, an image URL that is not http(s) or points at a private address', async () => {
    const bad = await loadTweetImage('file:///etc/passwd', { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ImageSkipped);
    expect((bad as Error).message).toBe('cannot fetch file:///etc/passwd: bad url: only http and https are allowed, not file');
    const local = await loadTweetImage('http://127.0.0.1:9/a.jpg', { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect((local as Error).message).toContain('loopback');
  });
});
