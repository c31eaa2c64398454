/**
 * Telegram's HTML parse mode, as the Bot API applies it: a byte-for-byte port of TDLib's
 * `parse_html` (td/telegram/MessageEntity.cpp, 2024) with the same error messages and
 * UTF-8 byte offsets, followed by what TDLib does to every outgoing text before counting
 * it (`clean_input_string`, then trimming). Used by the fake Bot API and by tests.
 *
 * One deliberate difference: in `strict` mode (the default) a `&` that does not start one
 * of the entities Telegram knows (`&lt; &gt; &amp; &quot;` or a numeric one) is rejected
 * with `Character "&" must be escaped as "&amp;" at byte offset N`. TDLib keeps such an
 * `&` literally, but the Bot API documentation says every `&` must be escaped, and a
 * formatter that forgets it turns a title like `&lt;b&gt;` into `<b>` on screen.
 */

export interface TelegramEntity {
  type:
    | 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'custom_emoji' | 'text_link'
    | 'pre' | 'code' | 'blockquote' | 'expandable_blockquote';
  /** UTF-16 code units, like the Bot API. */
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
}

export interface ParsedHtml {
  /** The text after entity parsing (before Telegram's clean-up and trimming). */
  text: string;
  entities: TelegramEntity[];
}

/** A parse failure; `description` is what the Bot API answers with a 400. */
export class TelegramHtmlError extends Error {
  override readonly name = 'TelegramHtmlError';
  readonly description: string;
  constructor(readonly reason: string) {
    super(`Bad Request: can't parse entities: ${reason}`);
    this.description = this.message;
  }
}

const ALLOWED = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins', 'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote',
]);

const AMP = 0x26, LT = 0x3c, GT = 0x3e, SLASH = 0x2f, EQ = 0x3d, QUOT = 0x22, APOS = 0x27, SEMI = 0x3b, HASH = 0x23;

// TDLib's is_space counts NUL, which is also how it stops at the end of the C string.
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0 || c === 0x0b || c === 0x0c;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const lowerAscii = (bytes: Buffer) => Buffer.from(bytes.map((c) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c))).toString('utf8');

/** TDLib's decode_html_entity: the code point and the position after it, or undefined. */
function decodeEntity(at: (i: number) => number, buf: Buffer, pos: number): { code: number; end: number } | undefined {
  let end = pos + 1;
  let code = 0;
  if (at(pos + 1) === HASH) {
    end++;
    if (at(pos + 2) === 0x78 /* x */) {
      end++;
      while (isHex(at(end))) code = code * 16 + parseInt(String.fromCharCode(at(end++)), 16);
    } else {
      while (isDigit(at(end))) code = code * 10 + (at(end++) - 0x30);
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (isAlpha(at(end))) end++;
    const name = buf.subarray(pos + 1, end).toString('latin1');
    const named: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
    const value = named[name];
    if (value === undefined) return undefined;
    code = value;
  }
  return { code, end: at(end) === SEMI ? end + 1 : end };
}

function appendUtf8(out: number[], code: number): void {
  if (code < 0x80) out.push(code);
  else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
  else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
}

/** Links TDLib accepts in `<a href>` (a simplified LinkManager::get_checked_link). */
function checkedLink(url: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed === '' || /\s/.test(trimmed)) return undefined;
  try {
    const parsed = new URL(/^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `http://${trimmed}`);
    if (parsed.protocol === 'tg:' || parsed.protocol === 'ton:') return parsed.href;
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return parsed.hostname.includes('.') || parsed.hostname === 'localhost' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export interface ParseOptions {
  /** Reject a bare `&` (see the module comment). Default true. */
  strict?: boolean;
}

interface Open {
  tag: string;
  argument: string;
  offset: number;
  /** Byte position in the result where the entity's text starts (for `<a>` without href). */
  resultPos: number;
}

/** Parse Telegram HTML; throws TelegramHtmlError with Telegram's exact message. */
export function parseTelegramHtml(html: string, options: ParseOptions = {}): ParsedHtml {
  const strict = options.strict ?? true;
  const buf = Buffer.from(html, 'utf8');
  const n = buf.length;
  const at = (i: number): number => (i < n ? (buf[i] as number) : 0);
  const fail = (reason: string): never => {
    throw new TelegramHtmlError(reason);
  };
  const out: number[] = [];
  const entities: TelegramEntity[] = [];
  const stack: Open[] = [];
  let utf16 = 0;
  let surrogate = false;

  for (let i = 0; i < n; i++) {
    const c = at(i);
    if (c === AMP) {
      const decoded = decodeEntity(at, buf, i);
      if (decoded !== undefined) {
        utf16 += decoded.code > 0xffff ? 2 : 1;
        if (decoded.code >= 0xd800 && decoded.code <= 0xdfff) surrogate = true;
        appendUtf8(out, decoded.code);
        i = decoded.end - 1;
        continue;
      }
      if (strict) fail(`Character "&" must be escaped as "&amp;" at byte offset ${i}`);
    }
    if (c !== LT) {
      if ((c & 0xc0) !== 0x80) utf16 += c >= 0xf0 ? 2 : 1;
      out.push(c);
      continue;
    }

    const begin = i++;
    if (at(i) !== SLASH) {
      while (!isSpace(at(i)) && at(i) !== GT) i++;
      if (at(i) === 0) fail(`Unclosed start tag at byte offset ${begin}`);
      const tag = lowerAscii(buf.subarray(begin + 1, i));
      if (!ALLOWED.has(tag)) fail(`Unsupported start tag "${tag}" at byte offset ${begin}`);

      let argument = '';
      while (at(i) !== GT) {
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === GT) break;
        const nameBegin = i;
        while (!isSpace(at(i)) && at(i) !== EQ && at(i) !== GT && at(i) !== SLASH && at(i) !== QUOT && at(i) !== APOS) i++;
        const name = buf.subarray(nameBegin, i).toString('utf8');
        if (name === '') fail(`Empty attribute name in the tag "${tag}" at byte offset ${begin}`);
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) !== EQ) {
          if (at(i) === 0) fail(`Unclosed start tag "${tag}" at byte offset ${begin}`);
          if (tag === 'blockquote' && name === 'expandable') argument = '1';
          continue;
        }
        i++;
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === 0) fail(`Unclosed start tag "${tag}" at byte offset ${begin}`);

        let value: string;
        if (at(i) !== APOS && at(i) !== QUOT) {
          const tokenBegin = i;
          while (isAlpha(at(i)) || isDigit(at(i)) || at(i) === 0x2e || at(i) === 0x2d) i++;
          value = lowerAscii(buf.subarray(tokenBegin, i));
          if (!isSpace(at(i)) && at(i) !== GT) fail(`Unexpected end of name token at byte offset ${tokenBegin}`);
        } else {
          const quote = at(i++);
          const bytes: number[] = [];
          while (at(i) !== quote && at(i) !== 0) {
            if (at(i) === AMP) {
              const decoded = decodeEntity(at, buf, i);
              if (decoded !== undefined) {
                appendUtf8(bytes, decoded.code);
                i = decoded.end;
                continue;
              }
              if (strict) fail(`Character "&" must be escaped as "&amp;" at byte offset ${i}`);
            }
            bytes.push(at(i++));
          }
          if (at(i) === quote) i++;
          value = Buffer.from(bytes).toString('utf8');
        }
        if (at(i) === 0) fail(`Unclosed start tag at byte offset ${begin}`);

        if (tag === 'a' && name === 'href') argument = value;
        else if (tag === 'code' && name === 'class' && value.startsWith('language-')) argument = value.slice(9);
        else if (tag === 'span' && name === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (tag === 'tg-emoji' && name === 'emoji-id') argument = value;
        else if (tag === 'blockquote' && name === 'expandable') argument = '1';
      }
      if (tag === 'span' && argument !== 'spoiler') fail(`Tag "span" must have class "tg-spoiler" at byte offset ${begin}`);
      stack.push({ tag, argument, offset: utf16, resultPos: out.length });
    } else {
      if (stack.length === 0) fail(`Unexpected end tag at byte offset ${begin}`);
      while (!isSpace(at(i)) && at(i) !== GT) i++;
      const endName = lowerAscii(buf.subarray(begin + 2, i));
      while (isSpace(at(i)) && at(i) !== 0) i++;
      if (at(i) !== GT) fail(`Unclosed end tag at byte offset ${begin}`);
      const open = stack[stack.length - 1] as Open;
      if (endName !== '' && endName !== open.tag) {
        fail(`Unmatched end tag at byte offset ${begin}, expected "</${open.tag}>", found "</${endName}>"`);
      }
      if (utf16 > open.offset) closeEntity(open, utf16 - open.offset, entities, out);
      stack.pop();
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed !== undefined) fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  for (const entity of entities) if (entity.type === 'code') delete entity.language;
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);

  const text = Buffer.from(out).toString('utf8');
  // A surrogate decoded from a numeric entity is never valid UTF-8 (TDLib's check_utf8).
  if (surrogate) {
    fail('Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units');
  }
  return { text, entities };
}

function closeEntity(open: Open, length: number, entities: TelegramEntity[], out: number[]): void {
  const offset = open.offset;
  const simple: Record<string, TelegramEntity['type']> = {
    i: 'italic', em: 'italic', b: 'bold', strong: 'bold', s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough',
    u: 'underline', ins: 'underline', 'tg-spoiler': 'spoiler', span: 'spoiler',
  };
  const last = entities[entities.length - 1];
  const sameSpan = last !== undefined && last.offset === offset && last.length === length;
  const type = simple[open.tag];
  if (type !== undefined) entities.push({ type, offset, length });
  else if (open.tag === 'tg-emoji') {
    if (!/^-?\d+$/.test(open.argument) || BigInt(open.argument) === 0n) throw new TelegramHtmlError('Invalid custom emoji identifier specified');
    entities.push({ type: 'custom_emoji', offset, length, custom_emoji_id: open.argument });
  } else if (open.tag === 'a') {
    const url = checkedLink(open.argument !== '' ? open.argument : Buffer.from(out.slice(open.resultPos)).toString('utf8'));
    if (url !== undefined) entities.push({ type: 'text_link', offset, length, url });
  } else if (open.tag === 'pre') {
    if (sameSpan && last.type === 'code' && last.language !== undefined && last.language !== '') last.type = 'pre';
    else entities.push({ type: 'pre', offset, length });
  } else if (open.tag === 'code') {
    if (sameSpan && last.type === 'pre' && open.argument !== '') last.language = open.argument;
    else entities.push({ type: 'code', offset, length, ...(open.argument !== '' ? { language: open.argument } : {}) });
  } else if (open.tag === 'blockquote') {
    entities.push({ type: open.argument !== '' ? 'expandable_blockquote' : 'blockquote', offset, length });
  }
}

/**
 * What TDLib does to a parsed text before sending it (clean_input_string, then trim):
 * control characters become spaces (tab included), `\r` and U+2028..U+202E vanish, and so
 * do the combining "vertical line" marks U+030A, U+0333, U+033F.
 */
export function cleanTelegramText(text: string): string {
  return text
    .replace(/\r/g, '')
    // eslint-disable-next-line no-control-regex -- these control characters are exactly what Telegram rewrites
    .replace(/[\u0000-\u0009\u000b-\u001f]/g, ' ')
    .replace(/[\u2028-\u202e]|\u030a|\u0333|\u033f/g, '')
    .replace(/^[ \n]+|[ \n]+$/g, '');
}

/** Length as Telegram counts it: Unicode code points. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** True when a JS string has an unpaired surrogate (not valid UTF-8 once sent). */
export function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
