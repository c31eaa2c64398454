import { readFile } from 'node:fs/promises';
import sharp, { type OverlayOptions } from 'sharp';
import type { Logger } from 'pino';
import { cachedFile, cacheKey, sha256 } from './cache.js';
import { cardLocale, formatCardDate, shortDomain } from './card-labels.js';
import { loadCardFonts, type CardFonts } from './fonts.js';
import { encodeJpeg, type PreparedJpeg, type Rect } from './prepare-image.js';
import { loadPublisherFonts } from './publisher-fonts.js';
import { paragraphDirection } from '../text/direction.js';
import { drawableText, isolate, toMarkup } from './script-runs.js';
import { fitLine, fitText, type TextImage } from './text-draw.js';

/**
 * The branded title card posted when an article has no usable image: site name (and
 * logo) on top, the title as large as fits in the middle, source and date below.
 * Text is shaped and laid out by Pango through sharp (script-runs.ts picks the fonts,
 * text-draw.ts fits the title), composed and encoded by sharp; cached by content hash.
 *
 * Every script with a shipped font is drawn (fonts.ts); a character no font has is left
 * out (never a missing-glyph box). A right-to-left title mirrors the card: text, rule,
 * header and footer align right. Only when nothing of the title can be drawn does the card
 * show the site name in its place ("no-title" layout).
 */

export interface CardText {
  title: string;
  sourceName?: string;
  /** ISO 8601. */
  publishedAt?: string;
  /** Article URL: its domain is the site name when none is configured. */
  url?: string;
  /** The article's language (BCP 47), for the date and CJK glyph forms. */
  lang?: string;
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
  /** Language of the card's date (BCP 47); default: the article's, else guessed from the title, else en-GB. */
  locale?: string;
  /** Publisher font files (TTF, OTF, WOFF), tried before the shipped fonts. */
  fonts?: string[];
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
  direction: 'ltr' | 'rtl';
  /** Where the title's ink is on the card. */
  titleBox: Rect;
  /** The site name drawn in the header ("" when none), and the footer line (source · date). */
  site: string;
  footer: string;
}

const CARD_VERSION = 'card-v2';

/** Geometry at this card size (everything scales with the width). */
export function cardGeometry(style: Pick<CardStyle, 'width' | 'height'>) {
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
type Geometry = ReturnType<typeof cardGeometry>;

const colours = new Map<string, Promise<[number, number, number]>>();

export class CardStyleError extends Error {
  override readonly name = 'CardStyleError';
}

/** Any colour sharp understands (#hex, rgb(), hsl(), CSS names) → RGB. */
function rgb(colour: string, name: string): Promise<[number, number, number]> {
  let out = colours.get(colour);
  if (out === undefined) {
    out = (async () => {
      let px: Buffer;
      try {
        px = await sharp({ create: { width: 1, height: 1, channels: 3, background: colour } }).raw().toBuffer();
      } catch {
        throw new CardStyleError(`card.${name}: "${colour}" is not a colour (use #rrggbb, rgb(…) or a CSS colour name)`);
      }
      return [px[0] ?? 0, px[1] ?? 0, px[2] ?? 0] as [number, number, number];
    })();
    out.catch(() => colours.delete(colour));
    colours.set(colour, out);
  }
  return out;
}

const hex = (c: readonly number[]) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
const mix = (a: readonly number[], b: readonly number[], t: number) => a.map((v, i) => v * t + (b[i] ?? 0) * (1 - t));

async function logoImage(logo: string, height: number): Promise<{ data: Buffer; width: number }> {
  const bytes = logo.startsWith('data:') ? Buffer.from(logo.slice(logo.indexOf(',') + 1), 'base64') : await readFile(logo);
  const png = await sharp(bytes, { density: 300 }).resize({ height }).png().toBuffer({ resolveWithObject: true });
  return { data: png.data, width: png.info.width };
}

type Drawn = Pick<RenderedCard, 'title' | 'fontSize' | 'layout' | 'direction' | 'titleBox' | 'site' | 'footer'>;

interface Pieces {
  fonts: CardFonts;
  publisher: string[];
  coverage: ReadonlySet<number>;
  lang: string;
  palette: { fg: string; accent: string; muted: string };
}

/** The title (or, with nothing drawable, the site name) fitted into the middle box. */
async function middle(text: string, p: Pieces, g: Geometry, colour: string): Promise<{ image: TextImage; text: string; size: number } | undefined> {
  if (text === '') return undefined;
  const markup = (t: string, size: number) => toMarkup(t, { fonts: p.fonts, publisher: p.publisher, lang: p.lang, size, weight: 700, colour, lines: true });
  return fitText(text, markup, { width: g.innerWidth, height: g.titleBox, minSize: g.minFont, maxSize: g.maxFont, step: 2 });
}

/** One line of small text (already drawable), cut to fit `maxWidth`. */
function line(text: string, p: Pieces, style: { size: number; weight: 400 | 700; colour: string; direction?: 'ltr' | 'rtl' }, maxWidth: number): Promise<{ image: TextImage; text: string } | undefined> {
  const { size, weight, colour, direction } = style;
  return fitLine(text, (t, s) => toMarkup(t, { fonts: p.fonts, publisher: p.publisher, lang: p.lang, size: s, weight, colour, ...(direction === undefined ? {} : { direction }) }), size, maxWidth);
}

/** Draw the card; returns raw RGB pixels and what was drawn. */
export async function renderCardImage(text: CardText, style: CardStyle, logger?: Logger): Promise<{ raw: { data: Buffer; width: number; height: number }; drawn: Drawn }> {
  const fonts = await loadCardFonts();
  const publisher = await loadPublisherFonts(style.fonts, fonts.dir, logger);
  const coverage = publisher.coverage.size === 0 ? fonts.coverage : new Set([...fonts.coverage, ...publisher.coverage]);
  const [bg, fg, accent] = await Promise.all([rgb(style.background, 'background'), rgb(style.foreground, 'foreground'), rgb(style.accent, 'accent')]);
  const p: Pieces = {
    fonts,
    publisher: publisher.families,
    coverage,
    lang: cardLocale(style.locale, text.lang, text.title),
    palette: { fg: hex(fg), accent: hex(accent), muted: hex(mix(fg, bg, 0.8)) },
  };
  const g = cardGeometry(style);
  const W = style.width;
  const H = style.height;

  const title = drawableText(text.title, coverage).text;
  const site = drawableText(style.siteName ?? '', coverage).text || shortDomain(text.url);
  // Source and date each in a bidi isolate: an Arabic date keeps its order next to a Latin source name.
  const footerText = [text.sourceName ?? '', formatCardDate(text.publishedAt, p.lang)]
    .map((t) => drawableText(t, coverage).text)
    .filter((t) => t !== '')
    .map(isolate)
    .join('  ·  ');
  const direction = paragraphDirection(title || site);
  const at = (x: number, w: number) => (direction === 'rtl' ? W - x - w : x);

  let logo: { data: Buffer; width: number } | undefined;
  if (style.logo !== undefined) {
    try {
      logo = await logoImage(style.logo, g.header);
    } catch (error) {
      logger?.warn({ err: error }, 'card logo could not be read; drawing the card without it');
    }
  }
  const bar = { width: Math.round(12 * g.s), height: Math.round(48 * g.s), gap: Math.round(20 * g.s) };
  const siteRoom = g.innerWidth - bar.width - bar.gap - (logo === undefined ? 0 : logo.width + bar.gap);
  const [fitted, header, footer] = await Promise.all([
    middle(title, p, g, p.palette.fg),
    title === '' ? undefined : line(site, p, { size: Math.round(34 * g.s), weight: 700, colour: p.palette.accent }, siteRoom),
    line(footerText, p, { size: Math.round(32 * g.s), weight: 400, colour: p.palette.muted, direction }, g.innerWidth),
  ]);
  const nothing: TextImage = { data: Buffer.alloc(4), width: 1, height: 1 };
  const shown = fitted ?? (await middle(site, p, g, p.palette.fg)) ?? { image: nothing, text: '', size: g.minFont };

  const layers: OverlayOptions[] = [];
  const put = (img: TextImage | { data: Buffer; width: number; height?: number }, left: number, top: number) =>
    layers.push('height' in img && img.height !== undefined ? { input: img.data, raw: { width: img.width, height: img.height, channels: 4 }, left, top } : { input: img.data, left, top });
  const box = (w: number, h: number, colour: string, left: number, top: number) =>
    layers.push({ input: { create: { width: w, height: h, channels: 3, background: colour } }, left, top });

  box(bar.width, bar.height, p.palette.accent, at(g.pad, bar.width), g.pad + Math.round((g.header - bar.height) / 2));
  if (header !== undefined) put(header.image, at(g.pad + bar.width + bar.gap, header.image.width), g.pad + Math.round((g.header - header.image.height) / 2));
  if (logo !== undefined) put(logo, direction === 'rtl' ? g.pad : W - g.pad - logo.width, g.pad);

  const top = g.pad + g.header + g.gap;
  const bottom = H - g.pad - g.footer - g.gap;
  const block = shown.image.height + g.gap + g.rule;
  const titleTop = top + Math.max(0, Math.round((bottom - top - block) / 2));
  const titleLeft = at(g.pad, shown.image.width);
  put(shown.image, titleLeft, titleTop);
  box(Math.round(140 * g.s), g.rule, p.palette.accent, at(g.pad, Math.round(140 * g.s)), titleTop + shown.image.height + g.gap);
  if (footer !== undefined) put(footer.image, at(g.pad, footer.image.width), H - g.pad - g.footer + Math.round((g.footer - footer.image.height) / 2));

  const { data, info } = await sharp({ create: { width: W, height: H, channels: 3, background: hex(bg) } })
    .composite(layers)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    raw: { data, width: info.width, height: info.height },
    drawn: {
      title: fitted?.text ?? '',
      fontSize: shown.size,
      layout: fitted === undefined ? 'no-title' : 'title',
      direction,
      titleBox: { left: titleLeft, top: titleTop, width: shown.image.width, height: shown.image.height },
      site: header?.text ?? '',
      footer: (footer?.text ?? '').replace(/[\u2068\u2069]/g, ''),
    },
  };
}

/** Render the card to JPEG bytes (no cache). */
export async function renderCardJpeg(text: CardText, style: CardStyle, logger?: Logger): Promise<{ jpeg: Buffer; drawn: Drawn }> {
  const { raw, drawn } = await renderCardImage(text, style, logger);
  return { jpeg: await encodeJpeg(raw), drawn };
}

async function fileHash(path: string | undefined): Promise<string> {
  if (path === undefined || path.startsWith('data:')) return '';
  return readFile(path).then(sha256, () => 'unreadable');
}

/** Render (or reuse) the title card for an article; cached in `dir` by a hash of everything drawn. */
export async function renderCard(text: CardText, style: CardStyle, options: RenderCardOptions): Promise<RenderedCard> {
  const hashes = await Promise.all([style.logo, ...(style.fonts ?? [])].map(fileHash));
  const key = cacheKey(CARD_VERSION, JSON.stringify({ text, style }), ...hashes).slice(0, 40);
  let fresh: Buffer | undefined;
  const render = async (): Promise<Drawn> => {
    const out = await renderCardJpeg(text, style, options.logger);
    fresh = out.jpeg;
    return out.drawn;
  };
  const meta = await cachedFile(options.dir, `card-${key}.json`, async () => Buffer.from(JSON.stringify(await render())));
  const file = await cachedFile(options.dir, `card-${key}.jpg`, async () => {
    if (fresh === undefined) await render();
    return fresh as Buffer;
  });
  const drawn = JSON.parse(meta.data.toString('utf8')) as Drawn;
  return {
    path: file.path,
    width: style.width,
    height: style.height,
    mime: 'image/jpeg',
    bytes: file.data.length,
    sha256: sha256(file.data),
    cached: file.hit,
    ...drawn,
  };
}
