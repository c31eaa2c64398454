/**
 * Article tags → hashtags that every platform accepts: letters, marks, digits and
 * underscores only, at least one letter, no leading '#'. Tags that cannot become a
 * well-formed hashtag are dropped rather than posted broken.
 */

export interface HashtagOptions {
  /** Per-site tag → hashtag overrides (keys compared case-insensitively). An empty value drops the tag. */
  map?: Record<string, string>;
  /** Maximum number of hashtags. */
  max?: number;
  /** Longest hashtag kept, without '#'. Default 40. */
  maxLength?: number;
}

/** A zero-width non-joiner between letters is spelling (Persian می‌خواهم); X and Telegram keep it in hashtags. */
const VALID = /^[\p{L}\p{M}\p{N}_]+(?:\u200c[\p{L}\p{M}\p{N}_]+)*$/u;
const HAS_LETTER = /\p{L}/u;

/** Symbols that carry meaning inside a name and are spelled out instead of dropped. */
const SPELLED: Array<[RegExp, string]> = [
  [/\+\+/g, 'pp'], // C++ → Cpp
  [/#(?=$|\s)/g, 'Sharp'], // C# → CSharp, F# → FSharp
];

/** One tag → a hashtag body (without '#'), or undefined when it cannot be made valid. */
export function toHashtag(tag: string, options: HashtagOptions = {}): string | undefined {
  const maxLength = options.maxLength ?? 40;
  const mapped = lookup(options.map, tag);
  let raw = mapped ?? tag;
  raw = raw.normalize('NFC').trim().replace(/^#+/, '');
  if (mapped === undefined) for (const [re, replacement] of SPELLED) raw = raw.replace(re, replacement);
  // Joiners inside one word (node.js, AT&T, e-mail, rock'n'roll) vanish; spaces start a new word.
  // A decimal point is kept as "_" (PM2.5 → PM2_5: PM25 would be another thing), and a
  // zero-width non-joiner between letters stays.
  const words = raw
    .replace(/(?<=\p{Nd})[.,](?=\p{Nd})/gu, '_')
    .split(/[\s/|,;:]+/u)
    .map((word) => word.replace(/[^\p{L}\p{M}\p{N}_\u200c]+/gu, '').replace(/^\u200c+|\u200c+$/gu, '').replace(/\u200c{2,}/gu, '\u200c'))
    .filter((word) => word !== '');
  if (words.length === 0) return undefined;
  const body = (mapped === undefined ? readableCase(words) : words)
    .map((word, i) => (i === 0 || !/^\p{Ll}/u.test(word) ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('');
  if (!VALID.test(body) || !HAS_LETTER.test(body) || [...body].length > maxLength) return undefined;
  return body;
}

/** Short words that read as words, not acronyms, when a shouting tag is set in title case. */
const SHORT_WORDS = new Set(['A', 'AN', 'AS', 'AT', 'BY', 'IN', 'IS', 'IT', 'OF', 'ON', 'OR', 'TO', 'UP']);

/**
 * A tag in capitals ("BREAKING NEWS", "ELECTIONS", "WAR IN UKRAINE") set in title case, so
 * the hashtag reads: #BreakingNews, #Elections, #WarInUkraine. Two-letter words stay in
 * capitals (US, EU, UN), and so does a single word of five letters or fewer (NATO, COVID).
 * Publishers who want other spellings map the tag (`hashtags.map`).
 */
export function readableCase(words: readonly string[]): string[] {
  const letters = words.join('').replace(/[^\p{L}]/gu, '');
  const shouting = letters !== letters.toLowerCase() && letters === letters.toUpperCase() && letters.length > 5;
  if (!shouting) return [...words];
  return words.map((word) => {
    const cased = word.replace(/[^\p{L}]/gu, '');
    if (cased.length <= 2 && !SHORT_WORDS.has(cased)) return word;
    return word.charAt(0) + word.slice(1).toLowerCase();
  });
}

/**
 * toHashtag remembered per (map, maxLength, tag): a newsroom's tags repeat from article
 * to article, and each conversion is a dozen regular expressions. Bounded; cleared when full.
 */
const memo = new WeakMap<object, Map<string, string | null>>();
const NO_MAP = {};
const MEMO_LIMIT = 10_000;

function cachedHashtag(tag: string, options: HashtagOptions): string | undefined {
  const owner = options.map ?? NO_MAP;
  let byTag = memo.get(owner);
  if (byTag === undefined) memo.set(owner, (byTag = new Map()));
  const key = `${options.maxLength ?? 40}\u0000${tag}`;
  let body = byTag.get(key);
  if (body === undefined) {
    if (byTag.size >= MEMO_LIMIT) byTag.clear();
    body = toHashtag(tag, options) ?? null;
    byTag.set(key, body);
  }
  return body ?? undefined;
}

function lookup(map: Record<string, string> | undefined, tag: string): string | undefined {
  if (map === undefined) return undefined;
  const key = tag.trim().replace(/^#+/, '').toLowerCase();
  for (const [k, v] of Object.entries(map)) if (k.trim().replace(/^#+/, '').toLowerCase() === key) return v;
  return undefined;
}

/** Tags → distinct hashtags with '#', in order, at most `max`. */
export function hashtags(tags: readonly string[], options: HashtagOptions = {}): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const tag of tags) {
    if (options.max !== undefined && out.length >= options.max) break;
    const body = cachedHashtag(tag, options);
    if (body === undefined) continue;
    const key = body.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push('#' + body);
  }
  return out;
}
