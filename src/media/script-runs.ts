import { paragraphDirection } from '../text/direction.js';
import { INDIC_ROLES, type CardFonts, type FontRole } from './fonts.js';

/**
 * From text to Pango markup that draws it right: which font each run of text is drawn in
 * (by the Unicode script of its letters, with the card language for Han characters), the
 * paragraph's direction, and the line-break hints Pango cannot find by itself — Thai words
 * (Pango's Thai breaker needs libthai, which libvips does not ship: Intl.Segmenter's
 * dictionary gives the word boundaries, marked with ZERO WIDTH SPACE), Korean words kept
 * whole (WORD JOINER between syllables, as Korean news sets headlines), and long URLs or
 * domains, which may break after `.` and `/` instead of being hyphenated.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const thaiWords = new Intl.Segmenter('th', { granularity: 'word' });

const ZWSP = '\u200b';
const WORD_JOINER = '\u2060';

/** The role of a code point's script; 'common' for punctuation, digits, spaces, marks and emoji (they join a neighbour). */
type Script = FontRole | 'kana' | 'han' | 'common' | 'other';

const SCRIPTS: Array<[RegExp, Script]> = [
  [/[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]/u, 'latin'],
  [/\p{Script=Arabic}/u, 'arabic'],
  [/\p{Script=Hebrew}/u, 'hebrew'],
  [/\p{Script=Devanagari}/u, 'devanagari'],
  [/\p{Script=Bengali}/u, 'bengali'],
  [/\p{Script=Tamil}/u, 'tamil'],
  [/\p{Script=Gujarati}/u, 'gujarati'],
  [/\p{Script=Gurmukhi}/u, 'gurmukhi'],
  [/\p{Script=Kannada}/u, 'kannada'],
  [/\p{Script=Malayalam}/u, 'malayalam'],
  [/\p{Script=Oriya}/u, 'oriya'],
  [/\p{Script=Telugu}/u, 'telugu'],
  [/\p{Script=Thai}/u, 'thai'],
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, 'kana'],
  [/\p{Script=Hangul}/u, 'kr'],
  [/\p{Script=Han}/u, 'han'],
  [/[\p{Script=Common}\p{Script=Inherited}]/u, 'common'],
];

/** The script of a grapheme: its first code point's (combining marks belong to their base). */
function scriptOf(grapheme: string): Script {
  const ch = String.fromCodePoint(grapheme.codePointAt(0) ?? 0x20);
  for (const [re, script] of SCRIPTS) if (re.test(ch)) return script;
  return 'other';
}

export type CjkLanguage = 'ja' | 'ko' | 'zh';

/** Which CJK font draws Han characters: the card's language when it is CJK, else what the text shows (kana → Japanese, Hangul → Korean). */
export function cjkLanguage(text: string, lang?: string): CjkLanguage {
  const primary = lang?.toLowerCase().split(/[-_]/)[0];
  if (primary === 'ja' || primary === 'ko' || primary === 'zh') return primary;
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return 'ja';
  if (/\p{Script=Hangul}/u.test(text)) return 'ko';
  return 'zh';
}

/** Invisible code points that need no glyph: joiners, direction marks, variation selectors, tag characters. */
function isInvisible(cp: number): boolean {
  return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff || (cp >= 0xe0020 && cp <= 0xe007f);
}

export interface DrawableText {
  /** The text with every grapheme no font can draw removed (whitespace tidied). */
  text: string;
  /** Graphemes removed. */
  dropped: number;
}

/**
 * Filter text down to what the fonts draw: a grapheme with a visible code point that no
 * font has is dropped whole (never a missing-glyph box); emoji sequences stay whole.
 */
export function drawableText(text: string, coverage: ReadonlySet<number>, options: { lines?: boolean } = {}): DrawableText {
  let out = '';
  let dropped = 0;
  for (const { segment } of graphemes.segment(text.normalize('NFC'))) {
    if (/^\s+$/u.test(segment)) {
      out += options.lines === true && segment.includes('\n') ? '\n' : ' ';
      continue;
    }
    const drawable = (s: string) => [...s].every((ch) => isInvisible(ch.codePointAt(0) as number) || coverage.has(ch.codePointAt(0) as number));
    if (drawable(segment)) {
      out += segment;
      continue;
    }
    // No font draws it, but its compatibility form may be drawn: ⅓ as 1/3, ² as 2, ﬁ as fi.
    const plain = segment.normalize('NFKC').replace(/\u2044/g, '/');
    if (plain !== segment && drawable(plain)) out += plain;
    else dropped++;
  }
  if (options.lines !== true) return { text: out.replace(/\s+/g, ' ').trim(), dropped };
  // Line breaks are kept, and so is a space at either end (a piece of a longer text may start with one).
  return { text: out.replace(/[^\S\n]+/g, ' ').replace(/ ?\n ?/g, '\n').replace(/\n{3,}/g, '\n\n'), dropped };
}

interface Run {
  script: Script;
  text: string;
}

/** A grapheme drawn as an emoji: emoji presentation, or asked for (VS16), a keycap or a flag. */
const EMOJI = /\p{Emoji_Presentation}|\ufe0f|\u20e3|\p{Regional_Indicator}/u;

/**
 * Runs of one script; common characters join the run before them (or the first run, at
 * the start). Emoji are runs of their own, so a keycap's digit or a ❤️ is drawn by the
 * emoji font with the rest of its sequence.
 */
export function scriptRuns(text: string): Run[] {
  const runs: Run[] = [];
  let pending = '';
  for (const { segment: ch } of graphemes.segment(text)) {
    const script = EMOJI.test(ch) ? 'emoji' : scriptOf(ch);
    const last = runs[runs.length - 1];
    if (script === 'common') {
      // Spaces and punctuation after an emoji go with the text that follows (the emoji font's space is wide).
      if (last === undefined || last.script === 'emoji') pending += ch;
      else last.text += ch;
    } else if (last !== undefined && last.script === script && pending === '') last.text += ch;
    else if (script === 'emoji' && pending !== '') {
      runs.push({ script: 'common', text: pending }, { script, text: ch });
      pending = '';
    } else {
      runs.push({ script, text: pending + ch });
      pending = '';
    }
  }
  if (pending !== '') runs.push({ script: 'common', text: pending });
  return runs;
}

const CJK_ORDER: Record<CjkLanguage, FontRole[]> = { ja: ['jp', 'sc', 'kr'], ko: ['kr', 'sc', 'jp'], zh: ['sc', 'jp', 'kr'] };
const BASE_ORDER: FontRole[] = ['latin', 'arabic', 'hebrew', 'devanagari', ...INDIC_ROLES, 'thai'];

/** The font roles for a run, best first: the script's own font, then every other as fallback, emoji last. */
export function roleChain(script: Script, cjk: CjkLanguage): FontRole[] {
  const cjkRoles = CJK_ORDER[cjk];
  const first: FontRole | undefined = script === 'han' ? cjkRoles[0] : script === 'kana' ? 'jp' : script === 'common' || script === 'other' ? undefined : script;
  // CJK runs keep the other CJK fonts next: a character one lacks is likeliest in another.
  const all = first !== undefined && cjkRoles.includes(first) ? [...cjkRoles, ...BASE_ORDER, 'emoji' as const] : [...BASE_ORDER, ...cjkRoles, 'emoji' as const];
  return first === undefined ? all : [first, ...all.filter((r) => r !== first)];
}

/** A URL or a domain name: `scheme://…` or `label.label…` with letters after a dot. */
const URL_LIKE = /:\/\/|[\p{L}\p{N}-]\.\p{L}[\p{L}\p{N}-]*\.?/u;

/** Line-break hints: Thai word boundaries, Korean words kept whole, long URLs breakable after `.` and `/`. */
export function withBreakHints(text: string): string {
  let out = text.replace(/\p{Script=Thai}+/gu, (run) => [...thaiWords.segment(run)].map((s) => s.segment).join(ZWSP));
  // A Korean word is kept whole, digits in it included ("9조1000억원", "38개월만에").
  out = out.replace(/[\p{Script=Hangul}\p{Nd}]*\p{Script=Hangul}[\p{Script=Hangul}\p{Nd}]*/gu, (word) => (word.length < 2 ? word : [...word].join(WORD_JOINER)));
  out = out.replace(/\S{16,}/gu, (token) => (URL_LIKE.test(token) ? token.replace(/([./_?&=])(?=\p{L})/gu, `$1${ZWSP}`) : token));
  return out;
}

export const escapeMarkup = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * Line height per script, in em: Pango's own comes from each font's metrics, which differ
 * far more than the scripts need (CJK fonts' are tight, Arabic's loose). Marks stacked
 * above and below (Arabic, Devanagari, Thai) need more room than Latin.
 */
const LINE_HEIGHT: Record<Script, number> = {
  latin: 1.17, common: 1.17, other: 1.3, emoji: 1.17,
  arabic: 1.45, hebrew: 1.22, devanagari: 1.42, thai: 1.45,
  bengali: 1.42, tamil: 1.42, gujarati: 1.42, gurmukhi: 1.42, kannada: 1.45, malayalam: 1.42, oriya: 1.45, telugu: 1.45,
  kana: 1.28, han: 1.28, sc: 1.28, jp: 1.28, kr: 1.28,
};

export interface MarkupOptions {
  fonts: CardFonts;
  /** Publisher font families, tried before the shipped ones. */
  publisher?: readonly string[];
  /** The card's language (BCP 47), for CJK glyph forms. */
  lang?: string | undefined;
  /** Pixel size (sharp draws at 72 dpi, so points are pixels). */
  size: number;
  weight: 400 | 700;
  /** #rrggbb */
  colour: string;
  /** Set each script's line height (for text that wraps); otherwise the fonts' own. */
  lines?: boolean;
  /** Paragraph direction; default: the direction most of the letters read in. */
  direction?: 'ltr' | 'rtl';
}

/** Text inside a bidi isolate: its order is resolved on its own (a date inside a line of another direction). */
export const isolate = (text: string): string => `\u2068${text}\u2069`;

type RunOptions = Pick<MarkupOptions, 'fonts' | 'publisher' | 'lang' | 'size' | 'lines'>;

const lineHeight = (script: Script, options: RunOptions) => (options.lines === true ? ` line_height="${Math.round(options.size * LINE_HEIGHT[script] * 1024)}"` : '');

/** Markup for drawable text without a paragraph: one span per script run, each with its font chain (and line height). */
export function runSpans(text: string, options: RunOptions): string {
  const cjk = cjkLanguage(text, options.lang);
  const publisher = (options.publisher ?? []).filter((f) => !f.includes(','));
  return scriptRuns(withBreakHints(text))
    .map((run) => {
      const families = [...publisher, ...roleChain(run.script, cjk).map((r) => options.fonts.families[r])];
      return `<span font_family="${escapeMarkup(families.join(','))}"${lineHeight(run.script, options)}>${escapeMarkup(run.text)}</span>`;
    })
    .join('');
}

/** Pango markup for already-drawable text: one span per script run with its font chain, the paragraph direction forced by a mark. */
export function toMarkup(text: string, options: MarkupOptions): string {
  const spans = [runSpans(text, options)];
  const mark = (options.direction ?? paragraphDirection(text)) === 'rtl' ? '\u200f' : '\u200e';
  const attrs = [`size="${Math.round(options.size * 1024)}"`, `font_weight="${options.weight === 700 ? 'bold' : 'normal'}"`, `foreground="${options.colour}"`];
  // A word broken for want of room gets a hyphen; a URL or domain breaks after its dots and slashes, never with one.
  if (/\S{16,}/u.test(text) && text.split(/\s+/u).some((t) => t.length >= 16 && URL_LIKE.test(t))) attrs.push('insert_hyphens="false"');
  return `<span ${attrs.join(' ')}${lineHeight('common', options)}>${mark}${spans.join('')}</span>`;
}
