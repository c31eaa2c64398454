import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createInstagramAdapter } from '../../../adapters/instagram/index.js';
import { cardStyle } from '../../../adapters/instagram/media.js';
import { InstagramTarget } from '../../../config/targets/instagram.js';
import { toArticle } from '../../../src/article/schema.js';
import { silentLogger } from '../../../src/logging.js';
import { instagramImageProblem, jpegInfo } from '../../../src/media/jpeg-info.js';
import { listen, type RunningServer } from '../../../src/sandbox/http.js';

let site: RunningServer;
let mediaDir: string;
const files = new Map<string, Buffer>();
const signal = new AbortController().signal;

const adapter = (extra: Record<string, unknown> = {}) =>
  createInstagramAdapter(InstagramTarget.parse({ id: 'ig', platform: 'instagram', card: { siteName: 'Harbour Gazette' }, ...extra }), {
    logger: silentLogger,
    mediaDir,
    allowPrivateNetwork: true,
  });

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'crier-ig-prepare-'));
  files.set('/wide.jpg', await sharp({ create: { width: 3000, height: 1000, channels: 3, background: '#2a6f97' } }).jpeg().toBuffer());
  files.set('/tall.jpg', await sharp({ create: { width: 600, height: 1200, channels: 3, background: '#a23b72' } }).jpeg().toBuffer());
  files.set('/broken.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
  site = await listen((req, res) => {
    const body = files.get(req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(body);
  });
});

afterAll(async () => {
  await site.close();
  await rm(mediaDir, { recursive: true, force: true });
});

async function prepare(imagePath?: string, extra: Record<string, unknown> = {}) {
  const a = adapter(extra);
  const input: Record<string, unknown> = { url: 'https://news.example.org/story', title: 'Harbour reopens after the storm', publishedAt: '2026-02-03T09:00:00Z' };
  if (imagePath !== undefined) input.image = { url: imagePath.startsWith('http') ? imagePath : `${site.url}${imagePath}` };
  const post = a.format(toArticle(input));
  const ready = await a.prepare?.(post, { signal });
  if (ready === undefined) throw new Error('the Instagram adapter must have prepare');
  return ready;
}

describe('Instagram adapter prepare', () => {
  it('should turn 3000x1000 and 600x1200 article images into valid 1080-wide JPEGs', async () => {
    for (const path of ['/wide.jpg', '/tall.jpg']) {
      const post = await prepare(path);
      expect(post.imageSource).toBe('article');
      expect(post.image).toMatchObject({ width: 1080, mime: 'image/jpeg', url: `${site.url}${path}` });
      const bytes = await readFile(post.image.path as string);
      expect(jpegInfo(bytes)).toMatchObject({ width: 1080, height: post.image.height });
      expect(instagramImageProblem(bytes)).toBeUndefined();
    }
  });

  it('should make a title card when the article has no image', async () => {
    const post = await prepare();
    expect(post.imageSource).toBe('card');
    expect(post.image).toMatchObject({ width: 1080, height: 1350, mime: 'image/jpeg' });
    expect(instagramImageProblem(await readFile(post.image.path as string))).toBeUndefined();
  });

  it('should fall back to a card when the image is unreachable or cannot be decoded', async () => {
    const closed = await listen((_req, res) => void res.end());
    const deadUrl = `${closed.url}/gone.jpg`;
    await closed.close();
    for (const image of [deadUrl, '/missing.jpg', '/broken.jpg']) {
      const post = await prepare(image);
      expect(post.imageSource).toBe('card');
      expect(post.image.url).toBeUndefined();
      expect(post.image.path).toMatch(/card-[0-9a-f]+\.jpg$/);
    }
  });

  it('should keep a configured card inside the allowed aspect ratio', () => {
    const style = cardStyle(InstagramTarget.parse({ id: 'ig', platform: 'instagram', card: { width: 1080, height: 1800 } }));
    expect(style.height).toBe(1350);
  });

  it('should hand the card its locale and publisher fonts from the target', () => {
    const style = cardStyle(InstagramTarget.parse({ id: 'ig', platform: 'instagram', card: { locale: 'ar-EG', fonts: ['/fonts/House-Bold.ttf'], siteName: 'Harbour' } }));
    expect(style).toMatchObject({ locale: 'ar-EG', fonts: ['/fonts/House-Bold.ttf'], siteName: 'Harbour', width: 1080, height: 1350 });
    expect(cardStyle(InstagramTarget.parse({ id: 'ig', platform: 'instagram' })).fonts).toBeUndefined();
  });

  it('should leave an already prepared post alone', async () => {
    const post = await prepare('/wide.jpg');
    const again = await adapter().prepare?.(post, { signal });
    expect(again).toBe(post);
  });
});
