import { readFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';
import sharp from 'sharp';
import type { Logger } from 'pino';
import { truncate } from '../text/truncate.js';
import { cachedFile, cacheKey, sha256 } from './cache.js';
import { CARD_FONT_FAMILY, drawableText, loadCardFonts, type CardFonts } from './fonts.js';
import { encodeJpeg, type PreparedJpeg } from './prepare-image.js';

/**
 * The branded title card posted when an article has no usable image: site name (and
 * logo) on top, the title as large as fits in the middle, source and date below.
 * Laid out by satori, rasterised by resvg, encoded by sharp; cached by content hash.
 *
 * Missing glyphs: the font (fonts.ts) covers Latin, Cyrillic, Greek and Vietnamese.
 * Emoji and symbols it lacks are dropped from the text; when letters of another script
 * (CJK, Arabic, Hebrew, Devanagari…) would be lost, the title is left off entirely and
 * the card shows the site name, source and date only ("no-title" layout) — a card
 * never shows a missing-glyph box or half a title.
 */

export interface CardText {
  title: string;
  sourceName?: string;
  /** ISO 8601. */
  publishedAt?: string;
  /** Article URL: its host is the site name of last resort. */
  url?: string;
}

export interface CardStyle {
  width: number;
  height: number;
  background: string;
  foreground: string;
  accent: string;
  siteName?: string;
  /** Local file path or data: URI of a logo (PNG, JPEG, SVG, WebP). */
  logo?: string;
  /** Locale of the date line. Default en-GB ("5 March 2026"). */
  locale?: string;
}

export interface RenderCardOptions {
  dir: string;
  logger?: Logger;
}

export interface RenderedCard extends PreparedJpeg {
  layout: 'title' | 'no-title';
  /** The title as drawn (maybe filtered or shortened); "" for the no-title layout. */
  title: string;
  /** Font size the title was drawn at, px. */
  fontSize: number;
}

type El = { type: string; props: { style?: Record<string, unknown>; children?: unknown; src?: string; width?: number; height?: number } };
const el = (type: string, style: Record<string, unknown>, children?: unknown): El => ({ type, props: { style, children } });

const CARD_VERSION = 'card-v1';
const LINE_HEIGHT = 1.18;

/** Geometry at this card size (everything scales with the width). */
function geometry(style: CardStyle) {
  const s = style.width / 1080;
  const pad = Math.round(80 * s);
  const header = Math.round(72 * s);
  const footer = Math.round(44 * s);
  const gap = Math.round(48 * s);
  const rule = Math.round(10 * s);
  const innerWidth = style.width - 2 * pad;
  const titleBox = style.height - 2 * pad - header - footer - 2 * gap - rule - gap;
  return { s, pad, header, footer, gap, rule, innerWidth, titleBox, minFont: Math.round(40 * s), maxFont: Math.round(104 * s) };
}

async function measureHeight(fonts: CardFonts, text: string, fontSize: number, width: number): Promise<number> {
  let height = Number.POSITIVE_INFINITY;
  const node = el('div', { display: 'flex', width, fontSize, fontWeight: 700, lineHeight: LINE_HEIGHT, fontFamily: CARD_FONT_FAMILY, wordBreak: 'break-word' }, text);
  await satori(node as never, {
    width,
    fonts: fonts.fonts,
    onNodeDetected: (n) => {
      if (n.textContent !== undefined && n.type === 'div') height = n.height;
    },
  });
  return height;
}

/** Largest font size (step 2px) at which `text` fits the box, or undefined when not even the smallest does. */
async function fitFontSize(fonts: CardFonts, text: string, g: ReturnType<typeof geometry>): Promise<number | undefined> {
  const fits = async (size: number) => (await measureHeight(fonts, text, size, g.innerWidth)) <= g.titleBox;
  if (!(await fits(g.minFont))) return undefined;
  let lo = g.minFont / 2;
  let hi = Math.floor(g.maxFont / 2);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (await fits(mid * 2)) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(g.minFont, lo * 2);
}

/** The title cut after the most words that fit at the smallest size, with an ellipsis. */
async function shortenToFit(fonts: CardFonts, text: string, g: ReturnType<typeof geometry>): Promise<string> {
  const words = text.split(' ');
  const candidate = (n: number) => words.slice(0, n).join(' ').replace(/[\s,;:\-–—([{"'«“‘]+$/u, '') + '…';
  let lo = 1;
  let hi = words.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await measureHeight(fonts, candidate(mid), g.minFont, g.innerWidth)) <= g.titleBox) lo = mid;
    else hi = mid - 1;
  }
  return candidate(Math.max(1, lo));
}

function formatDate(iso: string | undefined, locale: string | undefined, fonts: CardFonts): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  let text: string;
  try {
    text = new Intl.DateTimeFormat(locale ?? 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
  } catch {
    text = '';
  }
  const drawn = drawableText(text, fonts.coverage);
  return drawn.text !== '' && !drawn.lostLetters ? drawn.text : date.toISOString().slice(0, 10);
}

/** A line of small text: drawn only when the font can draw it whole, shortened to `max` characters. */
function smallLine(text: string | undefined, fonts: CardFonts, max: number): string {
  if (text === undefined) return '';
  const drawn = drawableText(text, fonts.coverage);
  if (drawn.lostLetters || drawn.text === '') return '';
  return truncate(drawn.text, (c) => [...c].length <= max);
}

async function logoDataUri(logo: string, height: number): Promise<{ src: string; width: number } | undefined> {
  const bytes = logo.startsWith('data:') ? Buffer.from(logo.slice(logo.indexOf(',') + 1), 'base64') : await readFile(logo);
  const png = await sharp(bytes, { density: 300 }).resize({ height: height * 2 }).png().toBuffer({ resolveWithObject: true });
  return { src: `data:image/png;base64,${png.data.toString('base64')}`, width: Math.round(png.info.width / 2) };
}

interface Content {
  site: string;
  title: string;
  fontSize: number;
  footer: string;
  logo: { src: string; width: number } | undefined;
}

function tree(style: CardStyle, g: ReturnType<typeof geometry>, c: Content): El {
  const headerRow = el('div', { display: 'flex', alignItems: 'center', justifyContent: 'space-between', height: g.header, width: g.innerWidth }, [
    el('div', { display: 'flex', alignItems: 'center', color: style.accent, fontSize: Math.round(34 * g.s), fontWeight: 700, letterSpacing: 2 }, [
      el('div', { display: 'flex', width: Math.round(12 * g.s), height: Math.round(48 * g.s), background: style.accent, marginRight: Math.round(20 * g.s) }),
      c.title === '' ? '' : c.site.toUpperCase(),
    ]),
    c.logo === undefined ? el('div', { display: 'flex' }) : { type: 'img', props: { src: c.logo.src, width: c.logo.width, height: g.header, style: { height: g.header } } },
  ]);
  const middle =
    c.title !== ''
      ? el('div', { display: 'flex', width: g.innerWidth, maxHeight: g.titleBox, overflow: 'hidden', fontSize: c.fontSize, fontWeight: 700, lineHeight: LINE_HEIGHT, wordBreak: 'break-word' }, c.title)
      : el('div', { display: 'flex', width: g.innerWidth, maxHeight: g.titleBox, overflow: 'hidden', fontSize: c.fontSize, fontWeight: 700, lineHeight: LINE_HEIGHT, color: style.foreground }, c.site);
  return el(
    'div',
    { display: 'flex', flexDirection: 'column', width: style.width, height: style.height, padding: g.pad, boxSizing: 'border-box', background: style.background, color: style.foreground, fontFamily: CARD_FONT_FAMILY },
    [
      headerRow,
      el('div', { display: 'flex', flexDirection: 'column', justifyContent: 'center', flexGrow: 1, marginTop: g.gap, marginBottom: g.gap }, [
        middle,
        el('div', { display: 'flex', width: Math.round(140 * g.s), height: g.rule, background: style.accent, marginTop: g.gap }),
      ]),
      el('div', { display: 'flex', height: g.footer, fontSize: Math.round(32 * g.s), opacity: 0.8, alignItems: 'center' }, c.footer),
    ],
  );
}

async function layout(text: CardText, style: CardStyle, fonts: CardFonts, logger: Logger | undefined): Promise<Content> {
  const g = geometry(style);
  let host = '';
  try {
    if (text.url !== undefined) host = new URL(text.url).hostname.replace(/^www\./, '');
  } catch {
    host = '';
  }
  const site = smallLine(style.siteName, fonts, 40) || smallLine(text.sourceName, fonts, 40) || host;
  const footer = [smallLine(text.sourceName, fonts, 48), formatDate(text.publishedAt, style.locale, fonts)].filter((x) => x !== '').join('  ·  ');
  let logo: Content['logo'];
  if (style.logo !== undefined) {
    try {
      logo = await logoDataUri(style.logo, g.header);
    } catch (error) {
      logger?.warn({ err: error }, 'card logo could not be read; drawing the card without it');
    }
  }
  const drawn = drawableText(text.title, fonts.coverage);
  if (drawn.lostLetters || drawn.text === '') {
    const name = site || ' ';
    const fontSize = (await fitFontSize(fonts, name, g)) ?? g.minFont;
    return { site: name, title: '', fontSize, footer, logo };
  }
  let title = drawn.text;
  let fontSize = await fitFontSize(fonts, title, g);
  if (fontSize === undefined) {
    title = await shortenToFit(fonts, title, g);
    fontSize = g.minFont;
  }
  return { site, title, fontSize, footer, logo };
}

/** Render the card to JPEG bytes (no cache). */
export async function renderCardJpeg(text: CardText, style: CardStyle, logger?: Logger): Promise<{ jpeg: Buffer; content: Content }> {
  const fonts = await loadCardFonts();
  const content = await layout(text, style, fonts, logger);
  const svg = await satori(tree(style, geometry(style), content) as never, { width: style.width, height: style.height, fonts: fonts.fonts });
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: style.width } }).render().asPng();
  const { data, info } = await sharp(png).flatten({ background: style.background }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { jpeg: await encodeJpeg({ data, width: info.width, height: info.height }), content };
}

type CardLayout = Pick<RenderedCard, 'layout' | 'title' | 'fontSize'>;

/** Render (or reuse) the title card for an article; cached in `dir` by a hash of everything drawn. */
export async function renderCard(text: CardText, style: CardStyle, options: RenderCardOptions): Promise<RenderedCard> {
  let logoHash = '';
  if (style.logo !== undefined && !style.logo.startsWith('data:')) logoHash = await readFile(style.logo).then(sha256, () => 'unreadable');
  const key = cacheKey(CARD_VERSION, JSON.stringify({ text, style }), logoHash).slice(0, 40);
  let fresh: Buffer | undefined;
  const render = async (): Promise<CardLayout> => {
    const out = await renderCardJpeg(text, style, options.logger);
    fresh = out.jpeg;
    return { layout: out.content.title === '' ? 'no-title' : 'title', title: out.content.title, fontSize: out.content.fontSize };
  };
  const meta = await cachedFile(options.dir, `card-${key}.json`, async () => Buffer.from(JSON.stringify(await render())));
  const file = await cachedFile(options.dir, `card-${key}.jpg`, async () => {
    if (fresh === undefined) await render();
    return fresh as Buffer;
  });
  const drawn = JSON.parse(meta.data.toString('utf8')) as CardLayout;
  return {
    path: file.path,
    width: style.width,
    height: style.height,
    mime: 'image/jpeg',
    bytes: file.data.length,
    sha256: sha256(file.data),
    cached: file.hit,
    layout: drawn.layout,
    title: drawn.title,
    fontSize: drawn.fontSize,
  };
}
