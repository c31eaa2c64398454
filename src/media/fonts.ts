import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';

/**
 * The card font: Noto Sans from @fontsource/noto-sans (WOFF files, which satori reads),
 * so every machine draws the same card. Each subset is registered under its own family
 * name because satori falls back across families, not across files of one family.
 *
 * Which characters can be drawn is read from the fonts' own `cmap` tables, so the card
 * never shows a missing-glyph box: see `drawableText`.
 */

/** Scripts shipped by the package that need no complex shaping (satori does none): no Devanagari. */
export const CARD_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'] as const;
export const CARD_WEIGHTS = [400, 700] as const;
export const CARD_FONT_FAMILY = CARD_SUBSETS.map((s) => `Noto Sans ${s}`).join(', ');

export interface CardFont {
  name: string;
  data: Buffer;
  weight: (typeof CARD_WEIGHTS)[number];
  style: 'normal';
}

export interface CardFonts {
  fonts: CardFont[];
  /** Code points every weight can draw. */
  coverage: ReadonlySet<number>;
}

const require = createRequire(import.meta.url);
let loaded: Promise<CardFonts> | undefined;

/** The card fonts and their coverage, loaded once per process. */
export function loadCardFonts(): Promise<CardFonts> {
  loaded ??= (async () => {
    const fonts: CardFont[] = [];
    const perWeight = new Map<number, Set<number>>();
    for (const subset of CARD_SUBSETS) {
      for (const weight of CARD_WEIGHTS) {
        const file = require.resolve(`@fontsource/noto-sans/files/noto-sans-${subset}-${weight}-normal.woff`);
        const data = await readFile(file);
        fonts.push({ name: `Noto Sans ${subset}`, data, weight, style: 'normal' });
        const set = perWeight.get(weight) ?? new Set<number>();
        for (const cp of woffCodePoints(data)) set.add(cp);
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

/** The sfnt table `tag` of a WOFF 1.0 file, decompressed. */
function woffTable(woff: Buffer, tag: string): Buffer | undefined {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 font');
  const count = woff.readUInt16BE(12);
  for (let i = 0; i < count; i++) {
    const entry = 44 + i * 20;
    if (woff.toString('latin1', entry, entry + 4) !== tag) continue;
    const offset = woff.readUInt32BE(entry + 4);
    const compLength = woff.readUInt32BE(entry + 8);
    const origLength = woff.readUInt32BE(entry + 12);
    const raw = woff.subarray(offset, offset + compLength);
    return compLength < origLength ? inflateSync(raw) : raw;
  }
  return undefined;
}

/** Code points a WOFF font maps to a real glyph (cmap format 4 or 12). */
export function woffCodePoints(woff: Buffer): Set<number> {
  const cmap = woffTable(woff, 'cmap');
  const out = new Set<number>();
  if (cmap === undefined) return out;
  const count = cmap.readUInt16BE(2);
  let best: { offset: number; format: number } | undefined;
  for (let i = 0; i < count; i++) {
    const platform = cmap.readUInt16BE(4 + i * 8);
    const encoding = cmap.readUInt16BE(6 + i * 8);
    const offset = cmap.readUInt32BE(8 + i * 8);
    const format = cmap.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode || (format !== 4 && format !== 12)) continue;
    if (best === undefined || (format === 12 && best.format === 4)) best = { offset, format };
  }
  if (best === undefined) return out;
  const t = best.offset;
  if (best.format === 12) {
    const groups = cmap.readUInt32BE(t + 12);
    for (let g = 0; g < groups; g++) {
      const start = cmap.readUInt32BE(t + 16 + g * 12);
      const end = cmap.readUInt32BE(t + 20 + g * 12);
      const glyph = cmap.readUInt32BE(t + 24 + g * 12);
      for (let cp = start; cp <= end; cp++) if (glyph + (cp - start) !== 0) out.add(cp);
    }
    return out;
  }
  const segments = cmap.readUInt16BE(t + 6) / 2;
  const ends = t + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let s = 0; s < segments; s++) {
    const end = cmap.readUInt16BE(ends + s * 2);
    const start = cmap.readUInt16BE(starts + s * 2);
    const delta = cmap.readInt16BE(deltas + s * 2);
    const rangeOffset = cmap.readUInt16BE(rangeOffsets + s * 2);
    for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
      else {
        const at = rangeOffsets + s * 2 + rangeOffset + (cp - start) * 2;
        if (at + 2 > cmap.length) continue;
        glyph = cmap.readUInt16BE(at);
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      if (glyph !== 0) out.add(cp);
    }
  }
  return out;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** Invisible code points that need no glyph: zero-width spaces and joiners, marks, WORD JOINER, variation selectors, BOM. */
function isInvisible(cp: number): boolean {
  return (cp >= 0x200b && cp <= 0x200f) || cp === 0x2060 || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff;
}

export interface DrawableText {
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
export function drawableText(text: string, coverage: ReadonlySet<number>): DrawableText {
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
