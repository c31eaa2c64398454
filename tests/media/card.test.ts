import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderCard, type CardStyle } from '../../src/media/card.js';
import { drawableText, loadCardFonts } from '../../src/media/fonts.js';
import { instagramImageProblem, jpegInfo } from '../../src/media/jpeg-info.js';

let dir: string;
const style: CardStyle = { width: 1080, height: 1350, background: '#14213d', foreground: '#ffffff', accent: '#fca311', siteName: 'Harbour Gazette' };

/** Share of pixels in a horizontal band that differ clearly from the background (text drawn there). */
async function inkShare(path: string, top: number, bottom: number): Promise<number> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < info.width; x++) {
      const i = (y * info.width + x) * info.channels;
      if ((data[i] as number) > 150 && (data[i + 1] as number) > 150 && (data[i + 2] as number) > 150) ink++;
    }
  }
  return ink / ((bottom - top) * info.width);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crier-card-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('card fonts', () => {
  it('should know which characters the shipped font draws', async () => {
    const { coverage, fonts } = await loadCardFonts();
    expect(fonts.length).toBeGreaterThan(4);
    for (const ch of ['A', 'ж', 'Ω', 'ế', '—', '€']) expect(coverage.has(ch.codePointAt(0) as number)).toBe(true);
    for (const ch of ['中', 'ب', '😀', 'א']) expect(coverage.has(ch.codePointAt(0) as number)).toBe(false);
  });

  it('should drop emoji and symbols but report lost letters of other scripts', async () => {
    const { coverage } = await loadCardFonts();
    expect(drawableText('Storm 🌊 hits the coast 👨‍👩‍👧', coverage)).toEqual({ text: 'Storm hits the coast', lostLetters: false });
    expect(drawableText('Шторм на побережье', coverage)).toEqual({ text: 'Шторм на побережье', lostLetters: false });
    expect(drawableText('Talks in 北京 resume', coverage).lostLetters).toBe(true);
  });
});

describe('renderCard', () => {
  it('should render a Latin title as a 1080x1350 JPEG with the title drawn', async () => {
    const card = await renderCard({ title: 'Harbour reopens after the storm', sourceName: 'Coast Wire', publishedAt: '2026-02-03T09:00:00Z' }, style, { dir });
    const bytes = await readFile(card.path);
    expect(jpegInfo(bytes)).toMatchObject({ width: 1080, height: 1350 });
    expect(instagramImageProblem(bytes)).toBeUndefined();
    expect(card.layout).toBe('title');
    expect(card.title).toBe('Harbour reopens after the storm');
    expect(await inkShare(card.path, 300, 1100)).toBeGreaterThan(0.02);
  });

  it('should render a Cyrillic title with the title layout', async () => {
    const card = await renderCard({ title: 'Порт снова открыт после шторма', publishedAt: '2026-02-03T09:00:00Z' }, style, { dir });
    expect(card.layout).toBe('title');
    expect(card.title).toBe('Порт снова открыт после шторма');
    expect(await inkShare(card.path, 300, 1100)).toBeGreaterThan(0.02);
  });

  it('should shrink the font for a long title and shorten a title too long for the smallest size', async () => {
    const short = await renderCard({ title: 'Tide tables change' }, style, { dir });
    const long = await renderCard({ title: 'Fishermen, port officials and ministers from twelve countries met through the night to agree new quotas for the northern seas, and the deal surprised everyone' }, style, { dir });
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const huge = await renderCard({ title: words }, style, { dir });
    expect(long.fontSize).toBeLessThan(short.fontSize);
    expect(huge.title.endsWith('…')).toBe(true);
    expect(huge.title.length).toBeLessThan(words.length);
    expect(words.startsWith(huge.title.slice(0, -1))).toBe(true);
    // Nothing drawn over the footer band: the title box never overflows.
    expect(await inkShare(huge.path, 1350 - 80 - 44 - 48 - 10, 1350 - 80 - 44 - 20)).toBe(0);
  });

  it('should leave the title off, without missing-glyph boxes, when the font cannot draw its script', async () => {
    const card = await renderCard({ title: '港口在风暴后重新开放', sourceName: 'Coast Wire' }, style, { dir });
    expect(card.layout).toBe('no-title');
    expect(card.title).toBe('');
    expect(instagramImageProblem(await readFile(card.path))).toBeUndefined();
  });

  it('should reuse a cached card and draw a new one when the text changes', async () => {
    const text = { title: 'Ferry timetable extended', publishedAt: '2026-02-04T09:00:00Z' };
    const first = await renderCard(text, { ...style, height: 1080 }, { dir });
    const again = await renderCard(text, { ...style, height: 1080 }, { dir });
    const other = await renderCard({ ...text, title: 'Ferry timetable cut' }, { ...style, height: 1080 }, { dir });
    expect(first.height).toBe(1080);
    expect(again.cached).toBe(true);
    expect(again.sha256).toBe(first.sha256);
    expect(again.fontSize).toBe(first.fontSize);
    expect(other.path).not.toBe(first.path);
  });

  it('should draw a logo from a file and skip one that cannot be read', async () => {
    const logo = join(dir, 'logo.png');
    await writeFile(logo, await sharp({ create: { width: 200, height: 100, channels: 3, background: '#fca311' } }).png().toBuffer());
    const withLogo = await renderCard({ title: 'Lighthouse restored' }, { ...style, logo }, { dir });
    const missing = await renderCard({ title: 'Lighthouse restored' }, { ...style, logo: join(dir, 'nope.png') }, { dir });
    const [r, g, b] = await (async () => {
      const { data, info } = await sharp(withLogo.path).raw().toBuffer({ resolveWithObject: true });
      const i = (116 * info.width + 1080 - 80 - 20) * info.channels; // inside the logo, top-right
      return [data[i], data[i + 1], data[i + 2]] as number[];
    })();
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(120);
    expect(b).toBeLessThan(80);
    expect(missing.layout).toBe('title');
  });
});
