/**
 * Shortening text without breaking it: cuts fall on sentence boundaries when that keeps
 * enough text, else on word boundaries, and only when a single word is longer than the
 * room on grapheme boundaries — never inside an emoji sequence or a combining mark.
 * Pure; the caller says what "fits" means (code points, twitter-text weight, …).
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const words = new Intl.Segmenter(undefined, { granularity: 'word' });
const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });

export const ELLIPSIS = '…';

/** Offsets (UTF-16) where a cut may fall, in increasing order, excluding 0. */
function boundaries(text: string, segmenter: Intl.Segmenter): number[] {
  const out: number[] = [];
  for (const seg of segmenter.segment(text)) {
    const end = seg.index + seg.segment.length;
    out.push(end);
  }
  return out;
}

/**
 * Binary search for the largest index i in sorted `cuts` whose candidate fits (the caller
 * answers each yielded cut); -1 when none. Assumes "fits" is monotone.
 */
function* lastFitting(cuts: number[], candidate: (end: number) => string): Generator<string, number, boolean> {
  let lo = 0;
  let hi = cuts.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (yield candidate(cuts[mid] as number)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** Characters dropped from the end of a cut before the ellipsis (spaces, commas, opening quotes…). */
const DANGLING = String.raw`\s,;:\-–—([{"'«“‘`;
const TRAILING = new RegExp(`[${DANGLING}]+$`, 'u');
/** The first character TRAILING would not strip: a cut after it keeps some text. */
const LEADING_TEXT = new RegExp(`[^${DANGLING}]`, 'u');

export interface TruncateOptions {
  /** Appended when text is cut inside a sentence. Default "…". */
  ellipsis?: string;
  /** Prefer a sentence boundary when it keeps at least this share of the word cut. Default 0.6. */
  sentenceShare?: number;
  /** [start, end) UTF-16 ranges no cut may fall inside (URLs, hashtags…). */
  keepWhole?: ReadonlyArray<readonly [number, number]>;
  /** Set false to cut at words only (a headline cut is marked with an ellipsis). Default true. */
  sentences?: boolean;
}

/**
 * The search behind `truncate`: yields candidates, is told whether each fits, returns the
 * result. One search serves a synchronous `fits` (truncate) and an asynchronous one
 * (truncateAsync: a title measured by drawing it).
 */
function* truncation(text: string, options: TruncateOptions): Generator<string, string, boolean> {
  if (yield text) return text;
  const ellipsis = options.ellipsis ?? ELLIPSIS;
  const share = options.sentenceShare ?? 0.6;

  const withEllipsis = (end: number): string => {
    const head = text.slice(0, end).replace(TRAILING, '');
    return head === '' ? '' : head + ellipsis;
  };
  const clean = (end: number): string => text.slice(0, end).trimEnd();
  const spans = options.keepWhole ?? [];
  const allowed = (end: number): boolean => end < text.length && spans.every(([s, e]) => !(s < end && end < e));

  // Cuts that would keep nothing (only punctuation before them) come first; leaving them out
  // keeps the binary search's predicate monotone.
  const firstText = text.search(LEADING_TEXT);
  const keepsText = (end: number): boolean => firstText >= 0 && end > firstText;
  const wordCuts = boundaries(text, words).filter((end) => allowed(end) && keepsText(end));
  const w = yield* lastFitting(wordCuts, withEllipsis);
  const wordEnd = w >= 0 ? (wordCuts[w] as number) : -1;

  const sentenceCuts = options.sentences === false ? [] : boundaries(text, sentences).filter((end) => allowed(end) && clean(end) !== '');
  const s = yield* lastFitting(sentenceCuts, clean);
  const sentenceEnd = s >= 0 ? (sentenceCuts[s] as number) : -1;

  if (sentenceEnd > 0 && (wordEnd < 0 || sentenceEnd >= wordEnd * share)) return clean(sentenceEnd);
  if (wordEnd > 0) return withEllipsis(wordEnd);

  // One word longer than the room: cut between graphemes.
  const graphemeCuts = boundaries(text, graphemes).filter((end) => allowed(end) && keepsText(end));
  const g = yield* lastFitting(graphemeCuts, withEllipsis);
  return g >= 0 ? withEllipsis(graphemeCuts[g] as number) : '';
}

/**
 * Longest prefix of `text` (plus an ellipsis when cut mid-sentence) for which `fits` is true.
 * Returns the text unchanged when it fits, and "" when not even one grapheme fits.
 */
export function truncate(text: string, fits: (candidate: string) => boolean, options: TruncateOptions = {}): string {
  const search = truncation(text, options);
  let step = search.next();
  while (!step.done) step = search.next(fits(step.value));
  return step.value;
}

/** `truncate` with a `fits` that has to wait (measuring by drawing). */
export async function truncateAsync(text: string, fits: (candidate: string) => Promise<boolean>, options: TruncateOptions = {}): Promise<string> {
  const search = truncation(text, options);
  let step = search.next();
  while (!step.done) step = search.next(await fits(step.value));
  return step.value;
}

/** Unicode code points, the unit Telegram counts message length in. */
export function codePoints(text: string): number {
  // As the string iterator counts (a lone surrogate is one code point), without making a string per step.
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Split text into sentences (trimmed, non-empty). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const seg of sentences.segment(text)) {
    const s = seg.segment.trim();
    if (s !== '') out.push(s);
  }
  return out;
}

/** True when `cut` (a prefix of `text`, maybe with an ellipsis) ends on a grapheme boundary of `text`. */
export function endsOnGraphemeBoundary(text: string, prefixLength: number): boolean {
  if (prefixLength === 0 || prefixLength === text.length) return true;
  for (const seg of graphemes.segment(text)) {
    if (seg.index === prefixLength) return true;
    if (seg.index > prefixLength) return false;
  }
  return false;
}
