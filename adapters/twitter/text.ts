import twitterText from 'twitter-text';
import { decodeEntities } from '../../src/text/entities.js';
import { ELLIPSIS, truncate, type TruncateOptions } from '../../src/text/truncate.js';

/**
 * Tweet text rules, in one place: what makes a text a valid tweet (twitter-text's
 * weighted length plus the characters X refuses), how article text becomes plain
 * tweet text, and which spans (URLs, hashtags, mentions, cashtags) a cut must not split.
 */

/** Characters that make X refuse a tweet (PLATFORMS.md): non-characters, BOM, bidi embeddings/overrides. */
const INVALID = /[\uFFFE\uFEFF\uFFFF\u202A-\u202E]/gu;
const HAS_INVALID = /[\uFFFE\uFEFF\uFFFF\u202A-\u202E]/u;
/** Unpaired UTF-16 surrogates (not text at all). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** C0/C1 control characters other than tab and line feed. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/gu;

/** Article text → plain tweet text: entities decoded, invalid characters dropped, NFC. */
export function plainText(text: string): string {
  return decodeEntities(text).replace(LONE_SURROGATE, '').replace(INVALID, '').replace(CONTROL, '').normalize('NFC');
}

/** Plain text on one line: every run of whitespace (line breaks included) becomes one space. */
export function plainLine(text: string): string {
  return plainText(text).replace(/[\s\u2028\u2029]+/gu, ' ').trim();
}

/** True when X accepts `text` as a tweet: not blank, twitter-text valid, no refused characters. */
export function isValidTweet(text: string): boolean {
  if (text.trim() === '') return false;
  if (HAS_INVALID.test(text)) return false;
  return twitterText.parseTweet(text).valid;
}

/** True when the tweet text contains something twitter-text links as a URL (X prices those higher). */
export function hasUrl(text: string): boolean {
  return twitterText.extractUrls(text).length > 0;
}

/** [start, end) UTF-16 ranges of the URLs, hashtags, mentions and cashtags twitter-text finds. */
export function protectedSpans(text: string): Array<[number, number]> {
  return twitterText.extractEntitiesWithIndices(text).map((e) => [e.indices[0], e.indices[1]] as [number, number]);
}

/** Where a shortened candidate cuts `source`: the length of the kept prefix. */
export function cutPosition(source: string, candidate: string): number {
  if (source.startsWith(candidate)) return candidate.length;
  return candidate.endsWith(ELLIPSIS) ? candidate.length - ELLIPSIS.length : candidate.length;
}

/** Text longer than this is shortened within its first WINDOW characters first (segmenting 10k characters per try is slow). */
const WINDOW = 4000;

/**
 * The longest shortening of `value` (src/text/truncate.ts: sentence, word, then grapheme
 * cuts, ellipsis when cut mid-sentence) that `fits` and does not cut inside a URL,
 * hashtag, mention or cashtag. When no such cut exists (an entity longer than the room),
 * entities may be cut; "" when nothing fits at all.
 */
export function shorten(value: string, fits: (candidate: string) => boolean, options: TruncateOptions = {}): string {
  if (fits(value)) return value;
  if (value.length > WINDOW) {
    // A cut far from the window's end is the cut the whole text gives.
    const head = shortenWithin(value.slice(0, WINDOW), fits, options);
    if (head !== '' && cutPosition(value, head) < WINDOW / 2) return head;
  }
  return shortenWithin(value, fits, options);
}

function shortenWithin(value: string, fits: (candidate: string) => boolean, options: TruncateOptions): string {
  const kept = truncate(value, fits, { ...options, keepWhole: protectedSpans(value) });
  return kept !== '' ? kept : truncate(value, fits, options);
}
