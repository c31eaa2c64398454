import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';
import sharp from 'sharp';
import { cardGeometry, type CardStyle, type CardText } from '../src/media/card.js';
import { fontCodePoints } from '../src/media/font-file.js';
import { encodeJpeg } from '../src/media/prepare-image.js';
import { truncate } from '../src/text/truncate.js';

/**
 * The card renderer crier had before issue 15 (satori lays out, resvg rasterises, sharp
 * encodes; Noto Sans WOFF subsets without complex shaping), kept as the baseline of the
 * card figure in `npm run bench`. Not used by crier itself. Logos are left out (the
 * figure draws none).
 */

/** Scripts shipped by the package that need no complex shaping (satori does none): no Devanagari. */
const CARD_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'] as const;
const CARD_WEIGHTS = [400, 700] as const;
const CARD_FONT_FAMILY = CARD_SUBSETS.map((s) => `Noto Sans ${s}`).join(', ');

interface CardFont {
  name: string;
  data: Buffer;
  weight: (typeof CARD_WEIGHTS)[number];
  style: 'normal';
}

interface CardFonts {
  fonts: CardFont[];
  /** Code points every weight can draw. */
  coverage: ReadonlySet<number>;
}

const require = createRequire(import.meta.url);
let loaded: Promise<CardFonts> | undefined;

/** The fonts and their coverage, loaded once per process. */
function loadCardFonts(): Promise<CardFonts> {
  loaded ??= (async () => {
    const fonts: CardFont[] = [];
    const perWeight = new Map<number, Set<number>>();
    for (const subset of CARD_SUBSETS) {
      for (const weight of CARD_WEIGHTS) {
        const file = require.resolve(`@fontsource/noto-sans/files/noto-sans-${subset}-${weight}-normal.woff`);
        const data = await readFile(file);
        fonts.push({ name: `Noto Sans ${subset}`, data, weight, style: 'normal' });
        const set = perWeight.get(weight) ?? new Set<number>();
        for (const cp of fontCodePoints(data)) set.add(cp);
        perWeight.set(weight, set);
      }
    }
    const [first, ...rest] = [...perWeight.values()];
    const coverage = new Set([...(first ?? [])].filter((cp) => rest.every((s) => s.has(cp))));
    return { fonts, coverage };
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Invisible code points that need no glyph: zero-width spaces and joiners, marks, WORD JOINER, variation selectors, BOM. */
function isInvisible(cp: number): boolean {
  return (cp >= 0x200b && cp <= 0x200f) || cp === 0x2060 || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff;
}

interface DrawableText {
  /** The text with every grapheme the font cannot draw removed (spaces tidied). */
  text: string;
  /** True when letters or digits had to be removed: the text is in a script the font lacks. */
  lostLetters: boolean;
}

/**
 * Filter text down to what the card font draws. Whitespace and invisible joiners are
 * kept/ignored; a grapheme with any other code point the font lacks (emoji, CJK,
 * Arabic, most symbols) is dropped. Callers drop the whole text when `lostLetters`.
 */
function drawableText(text: string, coverage: ReadonlySet<number>): DrawableText {
  let out = '';
  let lostLetters = false;
  for (const { segment } of graphemes.segment(text.normalize('NFC'))) {
    if (/^\s+$/u.test(segment)) {
      out += ' ';
      continue;
    }
    const points = [...segment].map((ch) => ch.codePointAt(0) as number);
    if (points.every((cp) => isInvisible(cp) || coverage.has(cp))) out += String.fromCodePoint(...points.filter((cp) => !isInvisible(cp)));
    else if (/[\p{L}\p{N}]/u.test(segment)) lostLetters = true;
  }
  return { text: out.replace(/\s+/g, ' ').trim(), lostLetters };
}

type El = { type: string; props: { style?: Record<string, unknown>; children?: unknown; src?: string; width?: number; height?: number } };
const el = (type: string, style: Record<string, unknown>, children?: unknown): El => ({ type, props: { style, children } });

const LINE_HEIGHT = 1.18;

/** The card's geometry is the same in both renderers. */
const geometry = cardGeometry;

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

async function layout(text: CardText, style: CardStyle, fonts: CardFonts): Promise<Content> {
  const g = geometry(style);
  let host = '';
  try {
    if (text.url !== undefined) host = new URL(text.url).hostname.replace(/^www\./, '');
  } catch {
    host = '';
  }
  const site = smallLine(style.siteName, fonts, 40) || smallLine(text.sourceName, fonts, 40) || host;
  const footer = [smallLine(text.sourceName, fonts, 48), formatDate(text.publishedAt, style.locale, fonts)].filter((x) => x !== '').join('  ·  ');
  const logo: Content['logo'] = undefined;
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

/** Render the card to JPEG bytes (no cache), as crier did before issue 15. */
export async function renderSatoriCard(text: CardText, style: CardStyle): Promise<{ jpeg: Buffer; title: string; fontSize: number }> {
  const fonts = await loadCardFonts();
  const content = await layout(text, style, fonts);
  const svg = await satori(tree(style, geometry(style), content) as never, { width: style.width, height: style.height, fonts: fonts.fonts });
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: style.width } }).render().asPng();
  const { data, info } = await sharp(png).flatten({ background: style.background }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { jpeg: await encodeJpeg({ data, width: info.width, height: info.height }), title: content.title, fontSize: content.fontSize };
}

