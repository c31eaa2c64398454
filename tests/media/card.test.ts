import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { cardGeometry, renderCard, renderCardImage, type CardStyle } from '../../src/media/card.js';
import { instagramImageProblem, jpegInfo } from '../../src/media/jpeg-info.js';
import { tinyFont } from '../helpers/tiny-font.js';
import { CARD_STYLE as style, CARD_TEXT, inkBox, SCRIPT_TITLES } from './card-cases.js';

let dir: string;
const BG: [number, number, number] = [0x14, 0x21, 0x3d];
const g = cardGeometry(style);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crier-card-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Everything drawn lies inside the safe margin, and the title inside its band. */
function expectInsideMargins(raw: { data: Buffer; width: number; height: number }, titleBox: { left: number; top: number; width: number; height: number }): void {
  const ink = inkBox(raw, BG);
  expect(ink).toBeDefined();
  expect(ink!.left).toBeGreaterThanOrEqual(g.pad);
  expect(ink!.top).toBeGreaterThanOrEqual(g.pad);
  expect(ink!.right).toBeLessThan(style.width - g.pad);
  expect(ink!.bottom).toBeLessThan(style.height - g.pad);
  expect(titleBox.left).toBeGreaterThanOrEqual(g.pad);
  expect(titleBox.left + titleBox.width).toBeLessThanOrEqual(style.width - g.pad);
  expect(titleBox.top).toBeGreaterThanOrEqual(g.pad + g.header + g.gap);
  expect(titleBox.top + titleBox.height).toBeLessThanOrEqual(style.height - g.pad - g.footer - g.gap);
}

/** Share of the title box's pixels that are ink. */
function titleInk(raw: { data: Buffer; width: number }, box: { left: number; top: number; width: number; height: number }): number {
  let ink = 0;
  for (let y = box.top; y < box.top + box.height; y++) {
    for (let x = box.left; x < box.left + box.width; x++) if ((raw.data[(y * raw.width + x) * 3] as number) > 150) ink++;
  }
  return ink / (box.width * box.height);
}

describe('renderCard', () => {
  it('should render a Latin title as a 1080x1350 JPEG with the title drawn', async () => {
    const card = await renderCard({ title: 'Harbour reopens after the storm', ...CARD_TEXT }, style, { dir });
    const bytes = await readFile(card.path);
    expect(jpegInfo(bytes)).toMatchObject({ width: 1080, height: 1350 });
    expect(instagramImageProblem(bytes)).toBeUndefined();
    expect(card).toMatchObject({ layout: 'title', title: 'Harbour reopens after the storm', direction: 'ltr', site: 'Harbour Gazette', footer: 'Coast Wire  ·  3 February 2026' });
  });

  it.each(SCRIPT_TITLES)('should draw a $script title whole, inside the margins, aligned to its reading side', async ({ title, rtl }) => {
    const { raw, drawn } = await renderCardImage({ title, ...CARD_TEXT }, style);
    expect(drawn.layout).toBe('title');
    expect(drawn.title).toBe(title.replace(/\s+/gu, ' '));
    expect(drawn.direction).toBe(rtl === true ? 'rtl' : 'ltr');
    expectInsideMargins(raw, drawn.titleBox);
    if (rtl === true) expect(drawn.titleBox.left + drawn.titleBox.width).toBe(style.width - g.pad);
    else expect(drawn.titleBox.left).toBe(g.pad);
    expect(titleInk(raw, drawn.titleBox)).toBeGreaterThan(0.08);
    expect(drawn.fontSize).toBeGreaterThanOrEqual(g.minFont);
  });

  it('should mirror the header for a right-to-left title: the accent bar on the right', async () => {
    const { raw } = await renderCardImage({ title: 'הנמל נפתח מחדש', ...CARD_TEXT }, style);
    const at = (x: number, y: number) => [...raw.data.subarray((y * raw.width + x) * 3, (y * raw.width + x) * 3 + 3)];
    const y = g.pad + Math.round(g.header / 2);
    expect(at(style.width - g.pad - 6, y)).toEqual([0xfc, 0xa3, 0x11]);
    expect(at(g.pad + 6, y)).toEqual(BG);
  });

  it('should leave out a character no font has (never a box) and draw the rest', async () => {
    const { drawn } = await renderCardImage({ title: 'Colombo කොළඹ port reopens 🌊', ...CARD_TEXT }, style);
    expect(drawn).toMatchObject({ layout: 'title', title: 'Colombo port reopens 🌊' });
  });

  it('should show the site name in place of a title with nothing drawable', async () => {
    const { drawn } = await renderCardImage({ title: 'කොළඹ වරාය', ...CARD_TEXT }, style);
    expect(drawn).toMatchObject({ layout: 'no-title', title: '', site: '' });
    expect(drawn.titleBox.width).toBeGreaterThan(100);
  });

  it.each([
    ['a long domain', 'INTERNATIONAL-PUBLIC-BROADCASTING-NETWORK-AR.EXAMPLE.COM'],
    ['a URL', 'https://international-public-broadcasting-network.example.com/2026/02/03/harbour-reopens-after-storm'],
    ['a German compound', 'Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt'],
  ])('should shrink or cleanly break %s and keep it on the card', async (_what, title) => {
    const { raw, drawn } = await renderCardImage({ title, ...CARD_TEXT }, style);
    expect(drawn.title).toBe(title);
    expectInsideMargins(raw, drawn.titleBox);
  });

  it('should shrink the font for a long title and cut one too long for the smallest size after a whole word', async () => {
    const short = await renderCardImage({ title: 'Tide tables change' }, style);
    const long = await renderCardImage({ title: 'Fishermen, port officials and ministers from twelve countries met through the night to agree new quotas for the northern seas, and the deal surprised everyone' }, style);
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const huge = await renderCardImage({ title: words }, style);
    expect(short.drawn.fontSize).toBe(g.maxFont);
    expect(long.drawn.fontSize).toBeLessThan(short.drawn.fontSize);
    expect(huge.drawn.fontSize).toBe(g.minFont);
    expect(huge.drawn.title.endsWith('…')).toBe(true);
    expect(words.startsWith(huge.drawn.title.slice(0, -1) + ' ')).toBe(true);
    expectInsideMargins(huge.raw, huge.drawn.titleBox);
  });

  it('should name the site by its configured name, else by a short lower-case form of the domain', async () => {
    const url = 'https://INTERNATIONAL-PUBLIC-BROADCASTING-NETWORK-AR.EXAMPLE.COM/2026/harbour';
    const { siteName: _, ...unnamed } = style;
    const byDomain = await renderCardImage({ title: 'Harbour reopens', url }, unnamed);
    const byName = await renderCardImage({ title: 'Harbour reopens', url }, style);
    expect(byDomain.drawn.site).toBe('example.com');
    expect(byName.drawn.site).toBe('Harbour Gazette');
  });

  it('should write the date in the card\'s locale, else the article\'s language, else the title\'s', async () => {
    const date = { publishedAt: '2026-02-03T09:00:00Z' };
    const egypt = await renderCardImage({ title: 'إعادة فتح الميناء', ...date }, { ...style, locale: 'ar-EG' });
    const japanese = await renderCardImage({ title: 'Harbour reopens', lang: 'ja', ...date }, style);
    const persian = await renderCardImage({ title: 'بندر پس از طوفان دوباره باز شد', ...date }, style);
    expect(egypt.drawn.footer).toBe('٣ فبراير ٢٠٢٦');
    expect(japanese.drawn.footer).toBe('2026年2月3日');
    expect(persian.drawn.footer).toBe('۱۴ بهمن ۱۴۰۴');
  });

  it('should draw characters with a publisher font first and add the characters only it has', async () => {
    const file = join(dir, 'house-blocks.ttf');
    await writeFile(file, tinyFont('Crier House Blocks', [0x58, 0xe000]));
    const title = 'Harbour \ue000 XX opens';
    const plain = await renderCardImage({ title }, style);
    const own = await renderCardImage({ title }, { ...style, fonts: [file] });
    expect(plain.drawn.title).toBe('Harbour XX opens');
    expect(own.drawn.title).toBe(title);
    // The publisher's X is a solid square: far more ink than Noto Sans' X.
    expect(titleInk(own.raw, own.drawn.titleBox)).toBeGreaterThan(titleInk(plain.raw, plain.drawn.titleBox));
  });

  it('should draw the card without a publisher font that cannot be read', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as never;
    const bad = join(dir, 'bad.ttf');
    await writeFile(bad, 'not a font');
    const { drawn } = await renderCardImage({ title: 'Harbour reopens' }, { ...style, fonts: [bad, join(dir, 'missing.ttf')] }, logger);
    expect(drawn.title).toBe('Harbour reopens');
    expect(warnings).toHaveLength(2);
  });

  it('should draw a card for an empty title and no site, and refuse a colour it cannot read, naming the setting', async () => {
    const { siteName: _, ...unnamed } = style;
    const { drawn } = await renderCardImage({ title: '  ' }, unnamed);
    expect(drawn).toMatchObject({ layout: 'no-title', title: '', site: '' });
    await expect(renderCardImage({ title: 'Harbour' }, { ...style, accent: 'not-a-colour' })).rejects.toThrow('card.accent: "not-a-colour" is not a colour (use #rrggbb, rgb(…) or a CSS colour name)');
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
    expect(again.titleBox).toEqual(first.titleBox);
    expect(other.path).not.toBe(first.path);
  });

  it('should draw a logo from a file and skip one that cannot be read', async () => {
    const logo = join(dir, 'logo.png');
    await writeFile(logo, await sharp({ create: { width: 200, height: 100, channels: 3, background: '#fca311' } }).png().toBuffer());
    const withLogo = await renderCard({ title: 'Lighthouse restored' }, { ...style, logo }, { dir });
    const missing = await renderCard({ title: 'Lighthouse restored' }, { ...style, logo: join(dir, 'nope.png') } satisfies CardStyle, { dir });
    const [r, gr, b] = await (async () => {
      const { data, info } = await sharp(withLogo.path).raw().toBuffer({ resolveWithObject: true });
      const i = (116 * info.width + 1080 - 80 - 20) * info.channels; // inside the logo, top-right
      return [data[i], data[i + 1], data[i + 2]] as number[];
    })();
    expect(r).toBeGreaterThan(200);
    expect(gr).toBeGreaterThan(120);
    expect(b).toBeLessThan(80);
    expect(missing.layout).toBe('title');
  });
});
