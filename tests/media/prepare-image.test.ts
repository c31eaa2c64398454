import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { listen, type RunningServer } from '../../src/sandbox/http.js';
import { FetchError } from '../../src/net/safe-fetch.js';
import { instagramImageProblem, jpegInfo } from '../../src/media/jpeg-info.js';
import { MediaError, planFit, prepareImage } from '../../src/media/prepare-image.js';

let dir: string;
let server: RunningServer;
const images = new Map<string, Buffer>();

/** A red picture with a green block in its top-left quarter (so orientation and crops are visible). */
async function picture(width: number, height: number, format: 'jpeg' | 'png' = 'jpeg', orientation?: number, block = 4): Promise<Buffer> {
  let image = sharp({ create: { width, height, channels: 3, background: '#ff0000' } }).composite([
    { input: { create: { width: Math.floor(width / block), height: Math.floor(height / block), channels: 3, background: '#00ff00' } }, left: 0, top: 0 },
  ]);
  image = format === 'png' ? image.png() : image.jpeg();
  if (orientation !== undefined) image = image.withMetadata({ orientation });
  return image.toBuffer();
}

async function pixel(path: string, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at] as number, data[at + 1] as number, data[at + 2] as number];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crier-media-'));
  images.set('/wide.jpg', await picture(3000, 1000));
  images.set('/tall.png', await picture(600, 1200, 'png'));
  images.set('/text.html', Buffer.from('<html>not an image</html>'));
  server = await listen((req, res) => {
    const body = images.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': req.url?.endsWith('.html') ? 'text/html' : 'image/jpeg' });
    res.end(body);
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('prepareImage', () => {
  it('should turn a 3000x1000 download into a 1080-wide JPEG within 0.8..1.91', async () => {
    const out = await prepareImage({ url: `${server.url}/wide.jpg` }, { dir, allowPrivateNetwork: true });
    const bytes = await readFile(out.path);
    expect(jpegInfo(bytes)).toMatchObject({ width: 1080, height: out.height, components: 3 });
    expect(out.width).toBe(1080);
    expect(out.width / out.height).toBeLessThanOrEqual(1.91);
    expect(out.width / out.height).toBeGreaterThanOrEqual(0.8);
    expect(out.mime).toBe('image/jpeg');
    expect(instagramImageProblem(bytes)).toBeUndefined();
  });

  it('should turn a 600x1200 PNG into a 1080-wide JPEG within 0.8..1.91', async () => {
    const out = await prepareImage({ url: `${server.url}/tall.png` }, { dir, allowPrivateNetwork: true });
    const bytes = await readFile(out.path);
    expect(jpegInfo(bytes)?.width).toBe(1080);
    expect(out.height).toBe(1350);
    expect(instagramImageProblem(bytes)).toBeUndefined();
    expect((await sharp(bytes).metadata()).format).toBe('jpeg');
  });

  it('should reuse the cached file for the same bytes and options, and make a new one for other options', async () => {
    const buffer = await picture(800, 800);
    const first = await prepareImage({ buffer }, { dir });
    const again = await prepareImage({ buffer }, { dir });
    const padded = await prepareImage({ buffer }, { dir, width: 720 });
    expect(first.cached).toBe(false);
    expect(again.cached).toBe(true);
    expect(again.path).toBe(first.path);
    expect(again.sha256).toBe(first.sha256);
    expect(padded.path).not.toBe(first.path);
    expect(padded.width).toBe(720);
  });

  it('should apply the EXIF orientation before fitting', async () => {
    // 1000x3000 stored, orientation 6 (rotate 90° clockwise) → a 3000x1000 landscape picture.
    const out = await prepareImage({ buffer: await picture(1000, 3000, 'jpeg', 6) }, { dir });
    expect(out.width / out.height).toBeGreaterThan(1.5);
    // The green corner moved from top-left to top-right.
    const [r, g] = await pixel(out.path, out.width - 5, 5);
    expect(g).toBeGreaterThan(200);
    expect(r).toBeLessThan(60);
  });

  it('should crop towards the focus point', async () => {
    const buffer = await picture(3000, 1000, 'jpeg', undefined, 8); // green block: x 0..375; a centre crop starts at x≈546
    const left = await prepareImage({ buffer }, { dir, focus: { x: 0, y: 0.5 } });
    const centre = await prepareImage({ buffer }, { dir });
    expect((await pixel(left.path, 5, 5))[1]).toBeGreaterThan(200); // green block kept
    expect((await pixel(centre.path, 5, 5))[1]).toBeLessThan(60); // centre crop loses it
  });

  it('should pad with the brand colour or a blurred copy instead of cropping when asked', async () => {
    const buffer = await picture(600, 1200);
    const pad = await prepareImage({ buffer }, { dir, fit: 'pad', background: '#0000ff' });
    const blur = await prepareImage({ buffer }, { dir, fit: 'blur' });
    expect(pad.width / pad.height).toBeCloseTo(0.8, 2);
    const [r, g, b] = await pixel(pad.path, 3, pad.height - 3);
    expect(b).toBeGreaterThan(200);
    expect(Math.max(r, g)).toBeLessThan(40);
    const [br, , bb] = await pixel(blur.path, 3, blur.height - 3);
    expect(br).toBeGreaterThan(100); // a blurred red copy, not the blue brand colour
    expect(bb).toBeLessThan(80);
  });

  it('should fail with MediaError when the bytes are not an image', async () => {
    await expect(prepareImage({ url: `${server.url}/text.html` }, { dir, allowPrivateNetwork: true })).rejects.toBeInstanceOf(MediaError);
  });

  it('should fail with FetchError when the image is unreachable or on a private address', async () => {
    await expect(prepareImage({ url: `${server.url}/missing.jpg` }, { dir, allowPrivateNetwork: true })).rejects.toBeInstanceOf(FetchError);
    await expect(prepareImage({ url: `${server.url}/wide.jpg` }, { dir })).rejects.toMatchObject({ code: 'private_address' });
  });
});

describe('planFit', () => {
  it('should always produce the requested width and an allowed aspect ratio', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom('crop' as const, 'blur' as const, 'pad' as const),
        fc.integer({ min: 320, max: 1440 }),
        fc.record({ x: fc.double({ min: 0, max: 1, noNaN: true }), y: fc.double({ min: 0, max: 1, noNaN: true }) }),
        (w, h, fit, width, focus) => {
          const plan = planFit(w, h, { fit, width, focus });
          expect(plan.width).toBe(width);
          const aspect = plan.width / plan.height;
          expect(aspect).toBeGreaterThanOrEqual(0.8);
          expect(aspect).toBeLessThanOrEqual(1.91);
          if (plan.extract !== undefined) {
            expect(plan.extract.left + plan.extract.width).toBeLessThanOrEqual(w);
            expect(plan.extract.top + plan.extract.height).toBeLessThanOrEqual(h);
            expect(Math.min(plan.extract.left, plan.extract.top)).toBeGreaterThanOrEqual(0);
          }
          if (plan.inner !== undefined) {
            expect(plan.inner.left + plan.inner.width).toBeLessThanOrEqual(plan.width);
            expect(plan.inner.top + plan.inner.height).toBeLessThanOrEqual(plan.height);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
