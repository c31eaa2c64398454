import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { instagramImageProblem, jpegInfo, looksLikeJpeg } from '../../src/media/jpeg-info.js';

const image = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#808080' } });

describe('jpegInfo', () => {
  it('should read the size of baseline and progressive JPEGs', async () => {
    expect(jpegInfo(await image(640, 480).jpeg().toBuffer())).toEqual({ width: 640, height: 480, components: 3, progressive: false });
    expect(jpegInfo(await image(321, 999).jpeg({ progressive: true }).toBuffer())).toMatchObject({ width: 321, height: 999, progressive: true });
  });

  it('should not take other formats or truncated files for JPEGs', async () => {
    const png = await image(10, 10).png().toBuffer();
    const jpeg = await image(10, 10).jpeg().toBuffer();
    expect(looksLikeJpeg(png)).toBe(false);
    expect(jpegInfo(png)).toBeUndefined();
    expect(jpegInfo(jpeg.subarray(0, 20))).toBeUndefined();
  });
});

describe('instagramImageProblem', () => {
  it('should accept 1080x1350 and 1080x566 and name what is wrong otherwise', async () => {
    expect(instagramImageProblem(await image(1080, 1350).jpeg().toBuffer())).toBeUndefined();
    expect(instagramImageProblem(await image(1080, 566).jpeg().toBuffer())).toBeUndefined();
    expect(instagramImageProblem(await image(1080, 1351).jpeg().toBuffer())).toMatch(/^aspect ratio/);
    expect(instagramImageProblem(await image(200, 200).jpeg().toBuffer())).toMatch(/^width 200/);
    expect(instagramImageProblem(await image(1080, 1080).png().toBuffer())).toBe('not a JPEG');
    expect(instagramImageProblem(await image(1080, 1080).toColourspace('cmyk').jpeg().toBuffer())).toMatch(/4 components/);
  });
});
