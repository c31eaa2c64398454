import { decodeEntitiesOnce as decodeEntities } from '../text/entities.js';

/** Inline Markdown → plain text, and the links and images found on the way. */

export interface MdLink {
  text: string;
  url: string;
}

export interface MdImage {
  url: string;
  alt: string;
}

const ESCAPABLE = /\\([!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~])/g;
const PROTECTED = /[\ue000-\ue07f]/g;
const protect = (text: string): string => text.replace(ESCAPABLE, (_m, c: string) => String.fromCharCode(0xe000 + c.charCodeAt(0)));
const restore = (text: string): string => text.replace(PROTECTED, (c) => String.fromCharCode(c.charCodeAt(0) - 0xe000));

// [text](dest "title"): text may hold one level of brackets, dest one level of parentheses.
const TEXT = '((?:\\[[^\\]\\n]{0,300}\\]|[^\\[\\]\\n]){0,500})';
const DEST = '\\(\\s*<?((?:\\([^()\\s]{0,300}\\)|[^()\\s<>]){0,2048})>?(?:\\s+(?:"[^"\\n]{0,300}"|\'[^\'\\n]{0,300}\'|\\([^)\\n]{0,300}\\)))?\\s*\\)';
const IMAGE = new RegExp(`!\\[${TEXT}\\]${DEST}`, 'g');
const LINK = new RegExp(`\\[${TEXT}\\]${DEST}`, 'g');
const REF_LINK = /\[([^\]\n[]{1,300})\]\[[^\]\n]{0,100}\]/g;
const HTML_IMG = /<img\b[^>]{0,2000}>/gi;
const AUTOLINK = /<((?:https?|mailto|ftp):[^<>\s]+)>/gi;
const BARE_URL = /\bhttps?:\/\/[^\s<>()[\]"']+[^\s<>()[\]"'.,;:!?]/gi;
const FOOTNOTE = /\[\^[^\]\n]{1,100}\]/g;
const TAG =
  /<\/?(?:a|abbr|address|article|aside|audio|b|big|blockquote|br|button|caption|center|cite|code|dd|del|details|dfn|div|dl|dt|em|figcaption|figure|font|footer|form|h[1-6]|header|hr|i|iframe|img|input|ins|kbd|label|li|main|mark|nav|ol|p|picture|pre|q|s|samp|section|small|source|span|strike|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|time|tr|tt|u|ul|var|video|wbr)\b(?:[^>"']|"[^"]{0,1000}"|'[^']{0,1000}'){0,500}\/?>/gi;

/**
 * Remove each span from an opener to its closer (comments, script/style elements) in one linear pass;
 * an opener without a closer is left alone. Regexes like <!--[\s\S]*?--> are quadratic on unclosed openers.
 */
function cutBetween(text: string, opener: RegExp, closer: (m: RegExpExecArray) => string): string {
  let out = '';
  let from = 0;
  const lower = text.toLowerCase();
  opener.lastIndex = 0;
  for (let m = opener.exec(text); m !== null; m = opener.exec(text)) {
    const close = closer(m);
    const end = lower.indexOf(close, m.index + m[0].length);
    if (end < 0) break;
    const stop = text.indexOf('>', end + close.length - 1);
    const after = stop < 0 ? text.length : stop + 1;
    out += text.slice(from, m.index);
    from = after;
    opener.lastIndex = after;
  }
  return out + text.slice(from);
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m === null ? undefined : decodeEntities(m[1] ?? m[2] ?? m[3] ?? '');
}

/** Images in source order, Markdown `![alt](url)` and HTML `<img>`. URLs are as written. */
export function findImages(raw: string): MdImage[] {
  const text = protect(raw);
  const found: { at: number; image: MdImage }[] = [];
  for (const m of text.matchAll(IMAGE)) {
    found.push({ at: m.index, image: { url: restore(m[2] ?? ''), alt: plainText(restore(m[1] ?? '')) } });
  }
  for (const m of text.matchAll(HTML_IMG)) {
    const src = attr(m[0], 'src');
    if (src !== undefined) found.push({ at: m.index, image: { url: src, alt: plainText(attr(m[0], 'alt') ?? '') } });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.image);
}

/** Links in source order (images excluded), with their plain text. */
export function findLinks(raw: string): MdLink[] {
  const text = protect(raw).replace(IMAGE, '').replace(HTML_IMG, '');
  const links: { at: number; link: MdLink }[] = [];
  for (const m of text.matchAll(LINK)) {
    links.push({ at: m.index, link: { text: plainText(restore(m[1] ?? '')), url: restore(m[2] ?? '').trim() } });
  }
  for (const m of text.matchAll(/<a\b[^>]{0,2000}>([\s\S]{0,2000}?)<\/a\s*>/gi)) {
    const href = attr(m[0], 'href');
    if (href !== undefined) links.push({ at: m.index, link: { text: plainText(restore(m[1] ?? '')), url: href } });
  }
  return links.sort((a, b) => a.at - b.at).map((l) => l.link);
}

/** First http(s) URL written bare, as an autolink, or as a link destination. */
export function firstHttpUrl(raw: string): string | undefined {
  const candidates = [...findLinks(raw).map((l) => l.url), ...[...raw.matchAll(BARE_URL)].map((m) => m[0])];
  return candidates.find((u) => /^https?:\/\//i.test(u));
}

function stripEmphasis(text: string): string {
  let out = text;
  for (let i = 0; i < 3; i++) {
    const before = out;
    out = out
      .replace(/(\*\*|__)(?=\S)([\s\S]{0,5000}?\S)\1/g, '$2')
      .replace(/(^|[^\w*\\])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, '$1$2')
      .replace(/(^|[^\w\\])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)/g, '$1$2')
      .replace(/~~(?=\S)([\s\S]{0,5000}?\S)~~/g, '$1');
    if (out === before) break;
  }
  return out;
}

/**
 * Inline Markdown → plain text: links become their text, images disappear, emphasis and code markers
 * go, escapes and HTML entities are decoded. `keepTags` leaves HTML-looking text alone (titles may
 * literally say "<b>").
 */
export function plainText(raw: string, opts: { keepTags?: boolean } = {}): string {
  let text = cutBetween(protect(raw), /<!--/g, () => '-->');
  if (opts.keepTags !== true) text = cutBetween(text, /<(script|style|noscript|svg)\b/gi, (m) => `</${(m[1] ?? '').toLowerCase()}`);
  text = text.replace(IMAGE, '').replace(HTML_IMG, '').replace(AUTOLINK, '$1');
  for (let i = 0; i < 3; i++) {
    const before = text;
    text = text.replace(LINK, '$1');
    if (text === before) break;
  }
  text = text.replace(REF_LINK, '$1').replace(FOOTNOTE, '');
  if (opts.keepTags !== true) text = text.replace(/<br\s*\/?>/gi, '\n').replace(TAG, '');
  text = text.replace(/(`+)([^`]{0,5000}?)\1/g, '$2');
  text = stripEmphasis(text);
  text = decodeEntities(restore(text));
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .trim();
}

/** True when the text is nothing but links (or bare URLs) and separators: "[Share](…) | [Tweet](…)". */
export function isLinkOnly(raw: string): boolean {
  const text = protect(raw);
  const hasLink = LINK.test(text) || AUTOLINK.test(text) || BARE_URL.test(text) || /<a\b/i.test(text);
  LINK.lastIndex = 0;
  AUTOLINK.lastIndex = 0;
  BARE_URL.lastIndex = 0;
  if (!hasLink) return false;
  const rest = stripEmphasis(
    text.replace(IMAGE, '').replace(LINK, '').replace(AUTOLINK, '').replace(BARE_URL, '').replace(/<a\b[^>]{0,2000}>[\s\S]{0,2000}?<\/a\s*>/gi, '').replace(TAG, ''),
  );
  return /^[\s|·•,;:/\\\-–—>»*_()[\]]*$/.test(restore(rest).replace(PROTECTED, ''));
}

/** True when a whole block is one emphasised span: `*…*`, `_…_` or `<em>/<i>…</i>` (not bold). */
export function isItalic(raw: string): boolean {
  const text = raw.trim();
  if (/^<(em|i)>[\s\S]*<\/\1>$/i.test(text)) return true;
  const m = /^(\*|_)(?!\1)([\s\S]*?)(?<!\\)\1([.!?]?)$/.exec(text);
  if (m === null) return false;
  const inner = m[2] ?? '';
  if (inner.trim() === '' || /^\s|\s$/.test(inner)) return false;
  // "*a* and *b*" is two spans, not one: no lone delimiter may remain inside.
  const lone = m[1] === '*' ? /(?<!\\)\*/ : /(?<![\\\w])_|(?<!\\)_(?!\w)/;
  return !lone.test(inner.replace(m[1] === '*' ? /\*\*/g : /__/g, ''));
}
